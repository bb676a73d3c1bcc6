import { Injectable, type OnModuleInit } from '@nestjs/common';
import { OAuthError } from '@tollgate/platform/http';
import { type ExtensionGrant, type ExtensionGrantRequest, ExtensionGrants } from '../oauth/extension-grants.js';
import type { TokenResponse } from '../oauth/token-response.js';
import { DeviceAuthorizationService } from './device-authorization.service.js';
import { deviceGrantClient } from './device-client.js';

export const DEVICE_CODE_GRANT = 'urn:ietf:params:oauth:grant-type:device_code';

/** The token endpoint's device grant (RFC 8628 §3.4): the client polls with its device code. */
@Injectable()
export class DeviceCodeGrant implements ExtensionGrant, OnModuleInit {
  readonly grantType = DEVICE_CODE_GRANT;

  constructor(
    private readonly devices: DeviceAuthorizationService,
    private readonly grants: ExtensionGrants,
  ) {}

  onModuleInit(): void {
    this.grants.register(this);
  }

  handle({ params, authorization, address }: ExtensionGrantRequest): Promise<TokenResponse> {
    const clientId = deviceGrantClient(authorization, params);
    if (!params.device_code) throw new OAuthError('invalid_request', 'device_code is required');
    return this.devices.poll(params.device_code, clientId, address);
  }
}
