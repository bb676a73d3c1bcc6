// Preloaded (node --import) into servers under --cpu-prof: V8 writes the profile only on a normal
// exit, and a server without a signal handler of its own is ended by the signal's default action.
// Registered before any handler of the app's, this exits first; a profiled run needs no graceful shutdown.
for (const signal of ['SIGTERM', 'SIGINT'] as const) process.once(signal, () => process.exit(0));
