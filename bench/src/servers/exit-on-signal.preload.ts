// Preloaded (node --import) into servers under --cpu-prof: V8 writes the profile only on a normal
// exit, and Nest's shutdown hook ends the process by re-raising the signal. Registered before the
// app's own listeners, this exits first; a profiled run needs no graceful shutdown.
for (const signal of ['SIGTERM', 'SIGINT'] as const) process.once(signal, () => process.exit(0));
