// The weak profile's forgotten debug port: a root prompt with no login at all.
import type { ShellDeps } from './console-shell.ts';
import { formatStatus } from './console-shell.ts';
import { listen, trackedServer } from './net-listen.ts';

export const DEBUG_PROMPT = 'root@gw:~# ';

export async function startDebugShell(deps: ShellDeps, host: string, port: number): Promise<{ port: number; close(): Promise<void> }> {
  const server = trackedServer((sock) => {
    const out = (l: string) => { if (sock.writable) sock.write(l + '\r\n'); };
    sock.write('BusyBox v1.31.1 debug shell\r\n' + DEBUG_PROMPT);
    let buf = '';
    sock.on('data', (d) => {
      buf += d.toString('latin1');
      let i: number;
      while ((i = buf.search(/[\r\n]/)) >= 0) {
        const line = buf.slice(0, i).trim();
        buf = buf.slice(i + 1);
        if (!line) continue;
        switch (line.split(/\s+/)[0]) {
          case 'id': out('uid=0(root) gid=0(root) groups=0(root)'); break;
          case 'uname': out('Linux gw 4.14.98 #1 PREEMPT armv7l GNU/Linux'); break;
          case 'cat': out(line.includes('shadow') ? `root::0:0:99999:7:::\r\nadmin:${'$1$vendor$default'}:0:0:99999:7:::` : 'cat: not permitted in simulation'); break;
          case 'status': formatStatus(deps.model).forEach(out); break;
          case 'help': out('id | uname -a | cat /etc/shadow | status | exit'); break;
          case 'exit': sock.end(); return;
          default: out(`sh: ${line.split(/\s+/)[0]}: not found`);
        }
        if (sock.writable) sock.write(DEBUG_PROMPT);
      }
      if (buf.length > 4096) buf = '';
    });
  });
  const bound = await listen(server, host, port);
  return { port: bound, close: () => server.destroyAll() };
}
