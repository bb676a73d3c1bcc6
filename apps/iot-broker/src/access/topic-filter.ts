/**
 * MQTT topic names and filters (MQTT 3.1.1 §4.7) as sequences of levels, and the one question
 * authorisation asks of them: does pattern G match every topic that filter F matches?
 *
 * Besides MQTT's `+` and `#`, a level may be a prefix (`thermostat-*`: any single level that starts
 * with `thermostat-`), which is how a scope names a group of devices. `+` is the empty prefix. In a
 * grant, a level may also be the connecting client's own id (`%c` in EMQX's and Mosquitto's ACLs),
 * so that one pattern serves every device's session.
 */
export type PatternLevel =
  | { readonly kind: 'exact'; readonly value: string }
  /** Any single level starting with `value`; the empty prefix is MQTT's `+`. */
  | { readonly kind: 'prefix'; readonly value: string }
  /** MQTT's `#`: this level and every level below it, and also the parent level alone (§4.7.1.2). */
  | { readonly kind: 'rest' }
  /** In a grant: exactly the level that is the session's client id. */
  | { readonly kind: 'client' };

export type TopicPattern = readonly PatternLevel[];

export const exact = (value: string): PatternLevel => ({ kind: 'exact', value });
export const prefix = (value: string): PatternLevel => ({ kind: 'prefix', value });
export const anyLevel: PatternLevel = { kind: 'prefix', value: '' };
export const rest: PatternLevel = { kind: 'rest' };
export const ownClientId: PatternLevel = { kind: 'client' };

/** Parses an MQTT topic filter; undefined when it is not a valid filter (§4.7.1, §4.7.3). */
export function parseTopicFilter(filter: string): TopicPattern | undefined {
  if (filter.length === 0 || filter.includes('\u0000')) return undefined;
  const levels = filter.split('/');
  const pattern: PatternLevel[] = [];
  for (const [index, level] of levels.entries()) {
    if (level === '#') {
      if (index !== levels.length - 1) return undefined;
      pattern.push(rest);
    } else if (level === '+') {
      pattern.push(anyLevel);
    } else if (level.includes('#') || level.includes('+')) {
      return undefined;
    } else {
      pattern.push(exact(level));
    }
  }
  return pattern;
}

/** Splits an MQTT topic name into exact levels; undefined when it is not a valid name (§4.7.3). */
export function parseTopicName(topic: string): TopicPattern | undefined {
  if (topic.length === 0 || topic.includes('#') || topic.includes('+') || topic.includes('\u0000')) return undefined;
  return topic.split('/').map(exact);
}

/**
 * True when `pattern` matches every topic that `filter` matches (filter ⊆ pattern), `clientId`
 * standing for the pattern's `client` levels. Sound, and complete for a single pattern; a filter
 * that only a union of patterns covers is not accepted.
 */
export function patternCovers(pattern: TopicPattern, filter: TopicPattern, clientId?: string): boolean {
  for (let i = 0; ; i++) {
    if (i === pattern.length) return i === filter.length;
    const granted = pattern[i];
    const requested = filter[i];
    if (granted.kind === 'rest') return requested === undefined || !hiddenFromWildcard(requested, i);
    // The filter ended here (a topic of exactly i levels); only a following `#` would match it.
    if (requested === undefined) return false;
    if (!levelCovers(granted, requested, i, clientId)) return false;
  }
}

/** True when `pattern` matches the topic name `topic`. */
export function patternMatchesTopic(pattern: TopicPattern, topic: string, clientId?: string): boolean {
  const levels = parseTopicName(topic);
  return levels !== undefined && patternCovers(pattern, levels, clientId);
}

/** The pattern in MQTT filter syntax, prefixes written `prefix*` (for logs and error messages). */
export function formatPattern(pattern: TopicPattern, clientId = '%c'): string {
  return pattern.map((level) => formatLevel(level, clientId)).join('/');
}

function formatLevel(level: PatternLevel, clientId: string): string {
  switch (level.kind) {
    case 'rest':
      return '#';
    case 'client':
      return clientId;
    case 'exact':
      return level.value;
    case 'prefix':
      return level.value === '' ? '+' : `${level.value}*`;
  }
}

function levelCovers(
  granted: Exclude<PatternLevel, { kind: 'rest' }>,
  requested: PatternLevel,
  index: number,
  clientId: string | undefined,
): boolean {
  if (requested.kind === 'rest' || requested.kind === 'client') return false;
  if (granted.kind === 'client') return requested.kind === 'exact' && requested.value === clientId;
  if (granted.kind === 'exact') return requested.kind === 'exact' && requested.value === granted.value;
  if (granted.value === '' && hiddenFromWildcard(requested, index)) return false;
  return requested.value.startsWith(granted.value);
}

/** §4.7.2: a filter starting with a wildcard does not match topics starting with `$` (`$SYS/…`, `$share/…`). */
function hiddenFromWildcard(level: PatternLevel, index: number): boolean {
  return index === 0 && (level.kind === 'exact' || level.kind === 'prefix') && level.value.startsWith('$');
}
