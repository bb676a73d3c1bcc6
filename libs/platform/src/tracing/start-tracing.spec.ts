import { tracesWanted } from './start-tracing.js';

describe(tracesWanted.name, () => {
  it('is off unless an OTLP endpoint or an exporter is named', () => {
    expect(tracesWanted({})).toBe(false);
    expect(tracesWanted({ OTEL_SERVICE_NAME: 'crm', OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json' })).toBe(false);
    expect(tracesWanted({ OTEL_EXPORTER_OTLP_ENDPOINT: ' ' })).toBe(false);
    expect(tracesWanted({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318' })).toBe(true);
    expect(tracesWanted({ OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'http://collector:4318/v1/traces' })).toBe(true);
    expect(tracesWanted({ OTEL_TRACES_EXPORTER: 'console' })).toBe(true);
    expect(tracesWanted({ OTEL_TRACES_EXPORTER: 'otlp,console' })).toBe(true);
  });

  it('stays off when the SDK is disabled or the exporter is none, whatever the endpoint', () => {
    const endpoint = { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318' };
    expect(tracesWanted({ ...endpoint, OTEL_SDK_DISABLED: 'true' })).toBe(false);
    expect(tracesWanted({ ...endpoint, OTEL_SDK_DISABLED: 'TRUE' })).toBe(false);
    expect(tracesWanted({ ...endpoint, OTEL_SDK_DISABLED: 'false' })).toBe(true);
    expect(tracesWanted({ ...endpoint, OTEL_TRACES_EXPORTER: 'none' })).toBe(false);
    expect(tracesWanted({ ...endpoint, OTEL_TRACES_EXPORTER: ' None ' })).toBe(false);
  });
});
