// Preloaded (node --import) into servers under --cpu-prof or --alloc-prof: V8 writes a CPU profile
// only on a normal exit, and a server without a signal handler of its own is ended by the signal's
// default action. Registered before any handler of the app's (after the allocation sampler's, which
// writes its profile at the signal), this exits first; a profiled run needs no graceful shutdown.
for (const signal of ['SIGTERM', 'SIGINT'] as const) process.once(signal, () => process.exit(0));
