/**
 * A minimal static HTTP server for tests (GET/HEAD only, no directory listings), run inside a lab
 * namespace: `tsx k3sStaticServer.ts <dir> <ip> <port>`. Prints "listening" once it serves.
 */
import { createReadStream, statSync } from 'node:fs';
import { createServer } from 'node:http';
import { join, normalize } from 'node:path';

const [root, host, port] = process.argv.slice(2) as [string, string, string];
createServer((req, res) => {
  const path = normalize(decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname));
  const file = join(root, path);
  let size = -1;
  try {
    const st = statSync(file);
    if (st.isFile()) size = st.size;
  } catch {}
  console.log(`${req.method} ${path} ${size >= 0 ? 200 : 404}`);
  if (size < 0 || !file.startsWith(root)) return res.writeHead(404).end('not found\n');
  res.writeHead(200, { 'content-length': size, 'content-type': 'application/octet-stream' });
  if (req.method === 'HEAD') return res.end();
  createReadStream(file).pipe(res);
}).listen(Number(port), host, () => console.log('listening'));
