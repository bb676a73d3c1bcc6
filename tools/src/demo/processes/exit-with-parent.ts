// Preloaded into every service the demo starts (`node --import`). The demo holds the other end of
// an IPC channel; when the demo's process is gone, however it ended (SIGKILL included), the channel
// closes and the service shuts down too, so no service outlives the demo.
process.channel?.unref();
process.once('disconnect', () => {
  process.kill(process.pid, 'SIGTERM');
  setTimeout(() => process.exit(1), 5_000).unref();
});
