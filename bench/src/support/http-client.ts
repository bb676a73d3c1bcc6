import type { HttpRequestSpec } from './http-load.js';

export interface JsonResponse<T = any> {
  status: number;
  body: T;
}

/** One request; the body is parsed when it is JSON. */
export async function request<T = any>(url: string, init: RequestInit = {}): Promise<JsonResponse<T>> {
  const response = await fetch(url, init);
  const text = await response.text();
  const json = /json/.test(response.headers.get('content-type') ?? '');
  return { status: response.status, body: (json && text ? JSON.parse(text) : text) as T };
}

/** Sends a load-generator request once, e.g. to check that a side answers it correctly before measuring. */
export function sendOnce(spec: HttpRequestSpec): Promise<JsonResponse> {
  return request(spec.url, { method: spec.method ?? 'GET', headers: spec.headers, body: spec.body });
}
