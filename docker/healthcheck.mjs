// Container health probe for the compose healthchecks: the runtime image has no curl or wget.
// Usage: node docker/healthcheck.mjs <url>. Exits 0 on a 2xx answer, 1 otherwise.
const TIMEOUT_MS = 2_500;

const url = process.argv[2];
if (!url) {
  console.error('usage: node docker/healthcheck.mjs <url>');
  process.exit(2);
}

try {
  const response = await fetch(url, {
    signal: AbortSignal.timeout(TIMEOUT_MS),
    headers: { accept: 'application/json' },
  });
  await response.body?.cancel();
  if (!response.ok) {
    console.error(`${url} answered ${response.status}`);
    process.exit(1);
  }
} catch (error) {
  const reason =
    error instanceof Error ? (error.cause instanceof Error ? error.cause.message : error.message) : String(error);
  console.error(`${url} did not answer: ${reason}`);
  process.exit(1);
}
