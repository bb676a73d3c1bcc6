import type { Benchmark } from '../benchmark.js';
import { apiKeyScale } from './api-key-scale.benchmark.js';
import { auditExport } from './audit-export.benchmark.js';
import { tokenEndpointAuditHistory, tokenEndpointAuditHistoryPostgres } from './audit-history.benchmark.js';
import { serviceBDpop, tokenEndpointDpop } from './dpop.benchmark.js';
import { authUnderAttack, authUnderAttackSaturated } from './auth-under-attack.benchmark.js';
import { mqttConnect, mqttConnectPaced } from './mqtt-connect.benchmark.js';
import { mqttConnectTls } from './mqtt-connect-tls.benchmark.js';
import { mqttPublishQos0, mqttPublishQos1 } from './mqtt-publish.benchmark.js';
import { mqttSessions } from './mqtt-sessions.benchmark.js';
import { guardCostApiKey, guardCostJwt, guardCostPat } from './guard-cost.benchmark.js';
import { revocationLatency, revocationLatencyRedis } from './revocation-latency.benchmark.js';
import { serviceBApiKey, serviceBApiKeyPaced } from './service-b-api-key.benchmark.js';
import { serviceBJwt, serviceBJwtPaced } from './service-b-jwt.benchmark.js';
import { serviceBPat, serviceBPatPaced } from './service-b-pat.benchmark.js';
import { tokenEndpoint } from './token-endpoint.benchmark.js';

/** Every benchmark, in the order `npm run bench` runs them. */
export const BENCHMARKS: readonly Benchmark[] = [
  tokenEndpoint,
  authUnderAttack,
  authUnderAttackSaturated,
  serviceBJwt,
  serviceBPat,
  serviceBApiKey,
  serviceBJwtPaced,
  serviceBPatPaced,
  serviceBApiKeyPaced,
  guardCostJwt,
  guardCostPat,
  guardCostApiKey,
  apiKeyScale,
  auditExport,
  tokenEndpointAuditHistory,
  tokenEndpointAuditHistoryPostgres,
  mqttConnect,
  mqttConnectPaced,
  mqttPublishQos0,
  mqttPublishQos1,
  mqttSessions,
  revocationLatency,
  revocationLatencyRedis,
  tokenEndpointDpop,
  serviceBDpop,
  mqttConnectTls,
];
