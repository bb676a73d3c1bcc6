import {
  exact,
  formatPattern,
  ownClientId,
  parseTopicFilter,
  parseTopicName,
  patternCovers,
  patternMatchesTopic,
  prefix,
  rest,
  type TopicPattern,
} from './topic-filter.js';

const filter = (text: string): TopicPattern => {
  const parsed = parseTopicFilter(text);
  if (!parsed) throw new Error(`invalid filter in test: ${text}`);
  return parsed;
};

describe(patternCovers.name, () => {
  // [granted, requested, covered]
  const cases: Array<[string, string, boolean]> = [
    // exact levels
    ['a/b', 'a/b', true],
    ['a/b', 'a/c', false],
    ['a/b', 'a', false],
    ['a/b', 'a/b/c', false],
    ['a/b', 'A/b', false],
    // `+`
    ['a/+', 'a/b', true],
    ['a/+', 'a/+', true],
    ['a/+', 'a/b/c', false],
    ['a/+', 'a', false],
    ['a/+', 'a/#', false],
    ['a/+/c', 'a/+/c', true],
    ['a/+/c', 'a/b/+', false],
    ['a/b', 'a/+', false],
    ['+/+', '+/b', true],
    ['+', '+', true],
    // `#`, including the parent level it also matches (§4.7.1.2)
    ['a/#', 'a', true],
    ['a/#', 'a/b', true],
    ['a/#', 'a/b/c/d', true],
    ['a/#', 'a/+', true],
    ['a/#', 'a/+/c', true],
    ['a/#', 'a/#', true],
    ['a/#', '#', false],
    ['a/#', '+', false],
    ['a/#', '+/#', false],
    ['a/#', 'b/#', false],
    ['a/b/#', 'a/#', false],
    ['a/b/#', 'a/b', true],
    ['a/+/#', 'a/b/#', true],
    ['a/+/#', 'a/b', true],
    ['a/+/#', 'a', false],
    ['#', '#', true],
    ['#', 'a/b/c', true],
    ['#', '+/+/#', true],
    ['a/b/c', 'a/#', false],
    ['a/+', 'a/b/#', false],
    // the device tree
    ['devices/t1/commands/#', 'devices/t1/commands/#', true],
    ['devices/t1/commands/#', 'devices/t1/commands/setpoint', true],
    ['devices/t1/commands/#', 'devices/t1/commands/+', true],
    ['devices/t1/commands/#', 'devices/+/commands/#', false],
    ['devices/t1/commands/#', 'devices/t2/commands/#', false],
    ['devices/t1/commands/#', 'devices/t1/#', false],
    ['devices/t1/commands/#', 'devices/#', false],
    ['devices/t1/commands/#', '#', false],
    ['devices/t1/commands/#', 'devices/t1', false],
    ['devices/t1/commands/#', 'devices/t1/commands', true],
    ['devices/+/telemetry', 'devices/+/telemetry', true],
    ['devices/+/telemetry', 'devices/t1/telemetry', true],
    ['devices/+/telemetry', 'devices/+/+', false],
    // `$` topics are out of reach of leading wildcards (§4.7.2)
    ['#', '$SYS/#', false],
    ['#', '$SYS/broker/uptime', false],
    ['+/#', '$SYS/#', false],
    ['+/b', '$a/b', false],
    ['$SYS/#', '$SYS/#', true],
    ['$SYS/#', '$SYS/x/y', true],
    ['$SYS/#', '#', false],
    ['#', '$share/g/devices/#', false],
    ['devices/#', '$share/g/devices/#', false],
    ['a/+', 'a/$x', true],
    ['a/#', 'a/$x/y', true],
    // empty levels are levels (§4.7.1.1)
    ['a/+/b', 'a//b', true],
    ['a/+', 'a/', true],
    ['+/a', '/a', true],
    ['a/b', 'a//b', false],
    ['a//b', 'a//b', true],
    ['a/#', 'a//', true],
    ['/#', '/a', true],
    ['/#', 'a', false],
  ];

  it.each(cases)('%s covers %s: %s', (granted, requested, expected) => {
    expect(patternCovers(filter(granted), filter(requested))).toBe(expected);
  });

  it('treats a prefix level as a group of single levels', () => {
    const group: TopicPattern = [exact('devices'), prefix('thermostat-'), exact('telemetry')];
    expect(patternCovers(group, filter('devices/thermostat-1/telemetry'))).toBe(true);
    expect(patternCovers(group, filter('devices/thermostat-/telemetry'))).toBe(true);
    expect(patternCovers(group, filter('devices/thermostat/telemetry'))).toBe(false);
    expect(patternCovers(group, filter('devices/hub-1/telemetry'))).toBe(false);
    expect(patternCovers(group, filter('devices/+/telemetry'))).toBe(false);
    expect(patternCovers(group, filter('devices//telemetry'))).toBe(false);
    expect(patternCovers(group, filter('devices/#'))).toBe(false);
    expect(patternCovers(group, [exact('devices'), prefix('thermostat-kitchen'), exact('telemetry')])).toBe(true);
    expect(patternCovers(group, [exact('devices'), prefix('thermo'), exact('telemetry')])).toBe(false);
  });

  it('reads a client level as exactly the given client id, and never as a wildcard', () => {
    const own: TopicPattern = [exact('devices'), ownClientId, rest];
    expect(patternCovers(own, filter('devices/thermostat-1/commands/#'), 'thermostat-1')).toBe(true);
    expect(patternCovers(own, filter('devices/thermostat-1'), 'thermostat-1')).toBe(true);
    expect(patternCovers(own, filter('devices/thermostat-2/commands/#'), 'thermostat-1')).toBe(false);
    expect(patternCovers(own, filter('devices/thermostat-/commands'), 'thermostat-1')).toBe(false);
    expect(patternCovers(own, filter('devices/+/commands'), 'thermostat-1')).toBe(false);
    expect(patternCovers(own, filter('devices/#'), 'thermostat-1')).toBe(false);
    expect(patternCovers(own, filter('devices/thermostat-1/x'))).toBe(false);
    expect(formatPattern(own)).toBe('devices/%c/#');
    expect(formatPattern(own, 'thermostat-1')).toBe('devices/thermostat-1/#');
  });

  it('does not let a prefix pattern at the first level reach $ topics unless the prefix starts with $', () => {
    expect(patternCovers([prefix(''), rest], filter('$SYS/x'))).toBe(false);
    expect(patternCovers([prefix('$'), rest], filter('$SYS/x'))).toBe(true);
    expect(patternCovers([prefix('$'), rest], filter('+/x'))).toBe(false);
  });
});

describe(parseTopicFilter.name, () => {
  it.each(['', 'a/#/b', 'a#', 'a/b#', '#/a', 'a+/b', 'a/+b', '++', 'a/\u0000'])(
    'refuses the invalid filter %j',
    (text) => {
      expect(parseTopicFilter(text)).toBeUndefined();
    },
  );

  it.each(['#', '+', '/', '//', 'a/+/#', '+/+', '$SYS/#', 'a b/c'])('accepts the valid filter %j', (text) => {
    expect(parseTopicFilter(text)).toBeDefined();
  });

  it('round-trips through formatPattern', () => {
    expect(formatPattern(filter('a/+/#'))).toBe('a/+/#');
    expect(formatPattern([exact('devices'), prefix('thermostat-'), rest])).toBe('devices/thermostat-*/#');
  });
});

describe(patternMatchesTopic.name, () => {
  it('matches topic names, never filters', () => {
    expect(patternMatchesTopic(filter('devices/+/state'), 'devices/t1/state')).toBe(true);
    expect(patternMatchesTopic(filter('devices/+/state'), 'devices/+/state')).toBe(false);
    expect(patternMatchesTopic(filter('#'), 'devices/#')).toBe(false);
    expect(patternMatchesTopic(filter('#'), '$SYS/broker')).toBe(false);
    expect(patternMatchesTopic(filter('#'), '')).toBe(false);
  });

  it('parses names without wildcards only', () => {
    expect(parseTopicName('a/b')).toEqual([exact('a'), exact('b')]);
    expect(parseTopicName('a/+')).toBeUndefined();
    expect(parseTopicName('')).toBeUndefined();
  });
});
