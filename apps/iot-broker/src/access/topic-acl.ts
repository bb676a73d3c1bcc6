import {
  anyLevel,
  exact,
  formatPattern,
  parseTopicFilter,
  parseTopicName,
  patternCovers,
  prefix,
  rest,
  type PatternLevel,
  type TopicPattern,
} from './topic-filter.js';

/** Device ids (MQTT client ids) the broker accepts: one topic level, no wildcards, no `$`. */
export const DEVICE_ID = /^[A-Za-z0-9._-]{1,64}$/;

/**
 * Scopes on the broker resource (space-separated in the token's `scope` claim):
 * - `device`: the holder is the device named by its client id;
 * - `devices:control:<pattern>`: may command the matching devices and watch their replies;
 * - `devices:read:<pattern>`: may watch the matching devices.
 * `<pattern>` is a device id, a prefix ending in `*` (`thermostat-*`), or `*` for every device.
 */
const DEVICE_SCOPE = 'device';
const DEVICES_SCOPE = /^devices:(control|read):([A-Za-z0-9._-]{0,63}\*|[A-Za-z0-9._-]{1,64})$/;

interface PublishGrant {
  pattern: TopicPattern;
  retain: boolean;
  /** Topics inside `pattern` that this grant still does not allow. */
  except?: TopicPattern;
}

const MAX_REMEMBERED_DECISIONS = 256;

/**
 * The access control list of one session: the topics it may publish to, subscribe to and receive,
 * computed once from its token's scopes at CONNECT. Subscriptions are checked as filters (the
 * requested filter must lie inside a granted one), publishes and deliveries as topics.
 */
export class TopicAcl {
  private readonly decisions = new Map<string, boolean>();
  private constructor(
    private readonly publishGrants: readonly PublishGrant[],
    private readonly subscribeGrants: readonly TopicPattern[],
  ) {}

  static fromScope(scope: string | undefined, deviceId: string): TopicAcl {
    const publish: PublishGrant[] = [];
    const subscribe: TopicPattern[] = [];
    for (const token of new Set((scope ?? '').split(' '))) {
      if (token === DEVICE_SCOPE) {
        const own = exact(deviceId);
        publish.push({ pattern: deviceTopic(own, 'telemetry'), retain: false });
        publish.push({ pattern: deviceTopic(own, 'state'), retain: true });
        publish.push({ pattern: deviceTopic(own, 'commands', 'ack'), retain: false });
        subscribe.push(deviceTopic(own, 'commands', rest));
        continue;
      }
      const match = DEVICES_SCOPE.exec(token);
      if (!match) continue;
      const [, action, pattern] = match;
      const devices = pattern.endsWith('*') ? prefix(pattern.slice(0, -1)) : exact(pattern);
      if (action === 'control') {
        // Any command but an acknowledgement, which only the device itself may send; never retained,
        // so a stale command is not replayed to the device on every subscribe.
        publish.push({
          pattern: deviceTopic(devices, 'commands', anyLevel, rest),
          retain: false,
          except: deviceTopic(anyLevel, 'commands', 'ack', rest),
        });
      }
      subscribe.push(
        deviceTopic(devices, 'telemetry'),
        deviceTopic(devices, 'state'),
        deviceTopic(devices, 'commands', 'ack'),
      );
    }
    return new TopicAcl(publish, subscribe);
  }

  /** True when the scope granted nothing on the broker: such a token may not connect. */
  get isEmpty(): boolean {
    return this.publishGrants.length === 0 && this.subscribeGrants.length === 0;
  }

  mayPublish(topic: string, options: { retain: boolean }): boolean {
    return this.remember(options.retain ? `p1${topic}` : `p0${topic}`, () => {
      const levels = parseTopicName(topic);
      if (!levels) return false;
      return this.publishGrants.some(
        (grant) =>
          patternCovers(grant.pattern, levels) &&
          (grant.retain || !options.retain) &&
          !(grant.except && patternCovers(grant.except, levels)),
      );
    });
  }

  maySubscribe(filter: string): boolean {
    const requested = parseTopicFilter(filter);
    return requested !== undefined && this.subscribeGrants.some((grant) => patternCovers(grant, requested));
  }

  /** Second gate at delivery: the receiving session may read this topic. */
  mayReceive(topic: string): boolean {
    return this.remember(`r${topic}`, () => {
      const levels = parseTopicName(topic);
      return levels !== undefined && this.subscribeGrants.some((grant) => patternCovers(grant, levels));
    });
  }

  /**
   * Grants never change during a session, and a device uses a handful of topics: each answer is
   * kept (bounded) so the hooks run on every publish and delivery without re-parsing the topic.
   */
  private remember(key: string, decide: () => boolean): boolean {
    let decision = this.decisions.get(key);
    if (decision === undefined) {
      if (this.decisions.size >= MAX_REMEMBERED_DECISIONS) this.decisions.clear();
      decision = decide();
      this.decisions.set(key, decision);
    }
    return decision;
  }

  /** The grants in filter syntax, for logs. */
  describe(): { publish: string[]; subscribe: string[] } {
    return {
      publish: this.publishGrants.map((grant) => formatPattern(grant.pattern) + (grant.retain ? ' (retain)' : '')),
      subscribe: this.subscribeGrants.map(formatPattern),
    };
  }
}

function deviceTopic(device: PatternLevel, ...levels: Array<string | PatternLevel>): TopicPattern {
  return [exact('devices'), device, ...levels.map((level) => (typeof level === 'string' ? exact(level) : level))];
}
