import { homedir } from 'node:os';
import { join } from 'node:path';

/**
 * Where the CLI keeps its credential, by each OS's convention: `$XDG_CONFIG_HOME/tollgate` (else
 * `~/.config/tollgate`) on Linux and the BSDs, `~/Library/Application Support/tollgate` on macOS,
 * `%APPDATA%\tollgate` on Windows. `TOLLGATE_CONFIG_DIR` overrides it.
 */
export function configDir(env: NodeJS.ProcessEnv = process.env, platform: NodeJS.Platform = process.platform): string {
  if (env.TOLLGATE_CONFIG_DIR) return env.TOLLGATE_CONFIG_DIR;
  if (platform === 'win32') return join(env.APPDATA ?? join(homedir(), 'AppData', 'Roaming'), 'tollgate');
  if (platform === 'darwin') return join(homedir(), 'Library', 'Application Support', 'tollgate');
  return join(env.XDG_CONFIG_HOME || join(homedir(), '.config'), 'tollgate');
}
