import {
  anyLevel,
  exact,
  formatPattern,
  ownClientId,
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

/** Per question and session: a device uses a handful of topics, a watcher those of the devices it watches. */
const MAX_REMEMBERED_DECISIONS = 256;

/** Answers already given, by topic. */
type Decisions = Map<string, boolean>;

/**
 * What the `device` scope grants, the same for every device: its own telemetry, state and command
 * acknowledgements, and its commands. One copy serves every session (a broker holds tens of
 * thousands), the device's id standing in for the `client` level.
 */
const OWN_PUBLISH_GRANTS: readonly PublishGrant[] = [
  { pattern: deviceTopic(ownClientId, 'telemetry'), retain: false },
  { pattern: deviceTopic(ownClientId, 'state'), retain: true },
  { pattern: deviceTopic(ownClientId, 'commands', 'ack'), retain: false },
];
const OWN_SUBSCRIBE_GRANTS: readonly TopicPattern[] = [deviceTopic(ownClientId, 'commands', rest)];

/**
 * The access control list of one session: the topics it may publish to, subscribe to and receive,
 * computed once from its token's scopes at CONNECT. Subscriptions are checked as filters (the
 * requested filter must lie inside a granted one), publishes and deliveries as topics.
 */
export class TopicAcl {
  // One map per question, each created on its first use: most sessions of a large fleet are idle.
  private publishes?: Decisions;
  private retainedPublishes?: Decisions;
  private receives?: Decisions;

  private constructor(
    private readonly publishGrants: readonly PublishGrant[],
    private readonly subscribeGrants: readonly TopicPattern[],
    /** The session's client id, for the grants' `client` levels. */
    private readonly clientId: string,
  ) {}

  static fromScope(scope: string | undefined, deviceId: string): TopicAcl {
    const tokens = new Set((scope ?? '').split(' '));
    // The common case, a device holding `device` alone, allocates nothing but the ACL itself.
    if (tokens.size === 1 && tokens.has(DEVICE_SCOPE))
      return new TopicAcl(OWN_PUBLISH_GRANTS, OWN_SUBSCRIBE_GRANTS, deviceId);
    const publish: PublishGrant[] = [];
    const subscribe: TopicPattern[] = [];
    for (const token of tokens) {
      if (token === DEVICE_SCOPE) {
        publish.push(...OWN_PUBLISH_GRANTS);
        subscribe.push(...OWN_SUBSCRIBE_GRANTS);
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
    return new TopicAcl(publish, subscribe, deviceId);
  }

  /** True when the scope granted nothing on the broker: such a token may not connect. */
  get isEmpty(): boolean {
    return this.publishGrants.length === 0 && this.subscribeGrants.length === 0;
  }

  mayPublish(topic: string, options: { retain: boolean }): boolean {
    const decisions = options.retain ? (this.retainedPublishes ??= new Map()) : (this.publishes ??= new Map());
    return decisions.get(topic) ?? remember(decisions, topic, this.grantsPublish(topic, options.retain));
  }

  maySubscribe(filter: string): boolean {
    const requested = parseTopicFilter(filter);
    return (
      requested !== undefined && this.subscribeGrants.some((grant) => patternCovers(grant, requested, this.clientId))
    );
  }

  /** Second gate at delivery: the receiving session may read this topic. */
  mayReceive(topic: string): boolean {
    const decisions = (this.receives ??= new Map());
    return decisions.get(topic) ?? remember(decisions, topic, this.grantsReceive(topic));
  }

  private grantsPublish(topic: string, retain: boolean): boolean {
    const levels = parseTopicName(topic);
    return (
      levels !== undefined &&
      this.publishGrants.some(
        (grant) =>
          patternCovers(grant.pattern, levels, this.clientId) &&
          (grant.retain || !retain) &&
          !(grant.except && patternCovers(grant.except, levels, this.clientId)),
      )
    );
  }

  private grantsReceive(topic: string): boolean {
    const levels = parseTopicName(topic);
    return levels !== undefined && this.subscribeGrants.some((grant) => patternCovers(grant, levels, this.clientId));
  }

  /** The grants in filter syntax, for logs. */
  describe(): { publish: string[]; subscribe: string[] } {
    return {
      publish: this.publishGrants.map(
        (grant) => formatPattern(grant.pattern, this.clientId) + (grant.retain ? ' (retain)' : ''),
      ),
      subscribe: this.subscribeGrants.map((grant) => formatPattern(grant, this.clientId)),
    };
  }
}

/**
 * Grants never change during a session, and a device uses a handful of topics: each answer is kept
 * (bounded) so the hooks run on every publish and delivery without re-parsing the topic.
 */
function remember(decisions: Decisions, topic: string, decision: boolean): boolean {
  if (decisions.size >= MAX_REMEMBERED_DECISIONS) decisions.clear();
  decisions.set(topic, decision);
  return decision;
}

function deviceTopic(device: PatternLevel, ...levels: Array<string | PatternLevel>): TopicPattern {
  return [exact('devices'), device, ...levels.map((level) => (typeof level === 'string' ? exact(level) : level))];
}
