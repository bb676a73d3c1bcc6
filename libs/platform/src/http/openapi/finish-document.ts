import type {
  OpenAPIObject,
  OperationObject,
  ResponsesObject,
  SchemaObject,
  SecurityRequirementObject,
} from '@nestjs/swagger';
import { OAUTH_ERROR_SCHEMA, OAUTH_ERROR_SCHEMA_NAME, PROBLEM_SCHEMA, PROBLEM_SCHEMA_NAME } from './error-schemas.js';
import {
  BEARER_SCHEME,
  CLIENT_SCHEME,
  REQUIRED_SCOPES_EXTENSION,
  SECURITY_SCHEMES,
  type SecuritySchemeName,
  SESSION_SCHEME,
} from './security-schemes.js';

export interface DocumentConventions {
  /** Where the API is served (its `servers` entry), e.g. AUTH_ISSUER. */
  serverUrl?: string;
  /** The credentials a `BEARER_SCHEME` route takes, one security alternative each. */
  bearerCredentials: SecuritySchemeName[];
  /** The console session cookie's name, when the app has one. */
  sessionCookie?: string;
  /**
   * The scheme each credential named by an `x-allowed-credentials` rule arrives through (the app's
   * own names): a route with such a rule lists only those schemes.
   */
  credentialSchemes?: Readonly<Record<string, SecuritySchemeName>>;
  /** Named schemas the routes refer to that are not DTO classes (e.g. RFC wire formats). */
  schemas?: Record<string, SchemaObject>;
  /** Error answers under this path prefix are RFC 6749 §5.2 bodies; everywhere else RFC 9457 problems. */
  oauthPathPrefix?: string;
}

const HTTP_METHODS = new Set(['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace']);
const SAFE_METHODS = new Set(['get', 'head', 'options', 'trace']);

/**
 * What @nestjs/swagger builds, made into the document Tollgate publishes: OpenAPI 3.1 (nullable
 * types as `type: [T, 'null']`), the security markers routes carry turned into the real schemes with
 * the scopes `@RequireScopes` names, `security: []` on public routes, and every error answer given
 * its body schema. The conventions live here once instead of on each of the routes.
 */
export function finishOpenApiDocument(document: OpenAPIObject, conventions: DocumentConventions): OpenAPIObject {
  document.openapi = '3.1.0';
  document.servers = [
    conventions.serverUrl
      ? { url: conventions.serverUrl }
      : { url: '/', description: 'Where this document is served from' },
  ];
  const components = (document.components ??= {});
  const schemas = (components.schemas ??= {});
  Object.assign(schemas, conventions.schemas);
  schemas[PROBLEM_SCHEMA_NAME] = PROBLEM_SCHEMA;
  if (conventions.oauthPathPrefix) schemas[OAUTH_ERROR_SCHEMA_NAME] = OAUTH_ERROR_SCHEMA;
  for (const schema of Object.values(schemas)) nullableToTypeUnion(schema);

  const used = new Set<SecuritySchemeName>();
  for (const [path, item] of Object.entries(document.paths)) {
    for (const [method, operation] of Object.entries(item) as [string, OperationObject][]) {
      if (!HTTP_METHODS.has(method)) continue;
      operation.security = securityOf(operation, method, conventions);
      for (const requirement of operation.security)
        for (const name of Object.keys(requirement)) used.add(name as SecuritySchemeName);
      const oauth = conventions.oauthPathPrefix !== undefined && path.startsWith(conventions.oauthPathPrefix);
      describeErrorBodies(operation.responses, oauth ? OAUTH_ERROR_SCHEMA_NAME : PROBLEM_SCHEMA_NAME, oauth);
      for (const parameter of operation.parameters ?? [])
        if ('schema' in parameter) nullableToTypeUnion(parameter.schema);
      for (const media of Object.values(requestContent(operation))) nullableToTypeUnion(media.schema);
    }
  }
  components.securitySchemes = Object.fromEntries(
    [...used].sort().map((name) => {
      const scheme = SECURITY_SCHEMES[name];
      return [
        name,
        name === 'consoleSession' && conventions.sessionCookie
          ? { ...scheme, name: conventions.sessionCookie }
          : scheme,
      ];
    }),
  );
  return document;
}

/** Operations whose id is the one Nest makes up (`ClientsController_list`): each should be named for a person to type. */
export function unnamedOperations(document: OpenAPIObject): string[] {
  return Object.entries(document.paths).flatMap(([path, item]) =>
    Object.entries(item as Record<string, OperationObject>)
      .filter(
        ([method, operation]) => HTTP_METHODS.has(method) && !/^[a-z][A-Za-z0-9]*$/.test(operation.operationId ?? ''),
      )
      .map(([method, operation]) => `${method.toUpperCase()} ${path} (${operation.operationId ?? 'no operationId'})`),
  );
}

function securityOf(
  operation: OperationObject,
  method: string,
  conventions: DocumentConventions,
): SecurityRequirementObject[] {
  const extensions = operation as unknown as Record<string, unknown>;
  const scopes = (extensions[REQUIRED_SCOPES_EXTENSION] as string[] | undefined) ?? [];
  delete extensions[REQUIRED_SCOPES_EXTENSION];
  const markers = new Set((operation.security ?? []).flatMap((requirement) => Object.keys(requirement)));
  const withSession = (): SecurityRequirementObject =>
    SAFE_METHODS.has(method) ? { consoleSession: scopes } : { consoleSession: scopes, csrfToken: [] };

  const alternatives: SecurityRequirementObject[] = [];
  if (markers.has(CLIENT_SCHEME)) {
    // client_secret_basic in the header, or client_secret_post / private_key_jwt in the body (no header).
    alternatives.push({ clientSecretBasic: [] }, {});
  }
  if (markers.has(BEARER_SCHEME)) {
    for (const name of allowedOf(operation, conventions))
      alternatives.push(name === 'consoleSession' ? withSession() : { [name]: scopes });
  }
  if (markers.has(SESSION_SCHEME)) alternatives.push(withSession());
  return alternatives;
}

/** A route that takes only some credentials (`x-allowed-credentials`, unless it depends on the body) lists only their schemes. */
function allowedOf(operation: OperationObject, conventions: DocumentConventions): SecuritySchemeName[] {
  const { bearerCredentials, credentialSchemes } = conventions;
  const rule = (operation as unknown as Record<string, unknown>)['x-allowed-credentials'] as
    { credentials?: string[]; whenBodyHas?: string[] } | undefined;
  if (!rule?.credentials || rule.whenBodyHas || !credentialSchemes) return bearerCredentials;
  const allowed = new Set(rule.credentials.map((credential) => credentialSchemes[credential]));
  return bearerCredentials.filter((scheme) => allowed.has(scheme));
}

/** Error answers without a body schema get the app's error body (problem+json, or RFC 6749 JSON at the OAuth endpoints). */
function describeErrorBodies(responses: ResponsesObject, schemaName: string, oauth: boolean): void {
  for (const [status, response] of Object.entries(responses)) {
    if (!/^[45]/.test(status) && status !== 'default') continue;
    if (!response || '$ref' in response || response.content) continue;
    const mediaType = oauth ? 'application/json' : 'application/problem+json';
    response.content = { [mediaType]: { schema: { $ref: `#/components/schemas/${schemaName}` } } };
  }
}

function requestContent(operation: OperationObject): Record<string, { schema?: unknown }> {
  const body = operation.requestBody;
  return body && 'content' in body ? (body.content as Record<string, { schema?: unknown }>) : {};
}

/** OpenAPI 3.0's `nullable: true` is gone in 3.1: `type: [T, 'null']`, or `anyOf` with `null` around a reference. */
function nullableToTypeUnion(schema: unknown): void {
  if (!schema || typeof schema !== 'object') return;
  if (Array.isArray(schema)) {
    for (const item of schema) nullableToTypeUnion(item);
    return;
  }
  const node = schema as Record<string, unknown>;
  for (const value of Object.values(node)) nullableToTypeUnion(value);
  if (node.nullable !== true) return;
  delete node.nullable;
  if (typeof node.type === 'string') {
    node.type = [node.type, 'null'];
    if (Array.isArray(node.enum) && !node.enum.includes(null)) node.enum = [...node.enum, null];
  } else {
    const inner = { ...node };
    for (const key of Object.keys(node)) if (key !== 'description') delete node[key];
    delete inner.description;
    node.anyOf = [
      inner.allOf && Array.isArray(inner.allOf) && inner.allOf.length === 1 && Object.keys(inner).length === 1
        ? inner.allOf[0]
        : inner,
      { type: 'null' },
    ];
  }
}
