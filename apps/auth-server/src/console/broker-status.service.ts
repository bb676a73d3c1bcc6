import { Inject, Injectable } from '@nestjs/common';
import { CLOCK, type Clock } from '@tollgate/platform';
import { ProblemException } from '@tollgate/platform/http';
import { AUTH_SERVER_CONFIG, type AuthServerConfig } from '../config/auth-server.config.js';
import type { BrokerStatusDto } from './dto/broker-status.response.js';

const TIMEOUT_MS = 3000;
/** A health report is a few hundred bytes, a few kilobytes with device ids; anything far larger is not one. */
const MAX_BODY_BYTES = 1024 * 1024;
const MAX_DEVICES = 10_000;

/** The IoT broker's GET /health, read on behalf of an admin (the console cannot reach the broker itself: CSP connect-src 'self'). */
@Injectable()
export class BrokerStatusService {
  constructor(
    @Inject(AUTH_SERVER_CONFIG) private readonly config: AuthServerConfig,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  async status(): Promise<BrokerStatusDto> {
    const url = this.config.iotBrokerHealthUrl;
    if (!url) return { configured: false };
    const report = await this.fetchHealth(url);
    const devices = report.devices;
    return {
      configured: true,
      status: typeof report.status === 'string' ? report.status.slice(0, 32) : 'unknown',
      connectedDevices: Number.isSafeInteger(report.connectedDevices)
        ? (report.connectedDevices as number)
        : Array.isArray(devices)
          ? devices.length
          : 0,
      revocationFeed: typeof report.revocationFeed === 'string' ? report.revocationFeed.slice(0, 32) : 'unknown',
      devices: Array.isArray(devices)
        ? devices
            .filter((id): id is string => typeof id === 'string')
            .slice(0, MAX_DEVICES)
            .map((id) => id.slice(0, 128))
        : null,
      checkedAt: this.clock.now().toISOString(),
    };
  }

  private async fetchHealth(url: string): Promise<Record<string, unknown>> {
    let response: Response;
    try {
      response = await fetch(url, {
        headers: { accept: 'application/json' },
        redirect: 'error',
        signal: AbortSignal.timeout(TIMEOUT_MS),
      });
    } catch (error) {
      const timedOut = (error as Error).name === 'TimeoutError';
      throw this.unreachable(timedOut ? `did not answer within ${TIMEOUT_MS / 1000} s` : 'could not be reached');
    }
    const declared = Number(response.headers.get('content-length') ?? 0);
    if (response.status !== 200 || declared > MAX_BODY_BYTES) {
      await response.body?.cancel().catch(() => undefined);
      throw this.unreachable(
        response.status !== 200
          ? `answered HTTP ${response.status}`
          : 'answered with a body too large to be a health report',
      );
    }
    let text: string;
    try {
      text = await response.text();
    } catch {
      throw this.unreachable(`did not finish its answer within ${TIMEOUT_MS / 1000} s`);
    }
    if (Buffer.byteLength(text) > MAX_BODY_BYTES)
      throw this.unreachable('answered with a body too large to be a health report');
    try {
      const body: unknown = JSON.parse(text);
      if (body && typeof body === 'object' && !Array.isArray(body)) return body as Record<string, unknown>;
    } catch {
      // answered below
    }
    throw this.unreachable('answered something other than a JSON health report');
  }

  private unreachable(what: string): ProblemException {
    return new ProblemException(502, `The IoT broker’s health endpoint (IOT_BROKER_HEALTH_URL) ${what}`, {
      code: 'broker_unavailable',
    });
  }
}
