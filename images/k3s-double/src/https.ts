/** One HTTPS request with the TLS material the double holds; Node 18's fetch cannot present client certs. */
import { request } from 'node:https';

export interface TlsMaterial {
  ca?: string;
  cert?: string;
  key?: string;
  /** Only for fetching /cacerts before the CA is known: the caller checks the hash itself. */
  insecure?: boolean;
}

export interface HttpsResult {
  status: number;
  body: string;
}

export function httpsRequest(
  url: string,
  opts: TlsMaterial & { method?: string; body?: string; basicAuth?: [string, string]; timeoutMs?: number },
): Promise<HttpsResult> {
  return new Promise((resolve, reject) => {
    const headers: Record<string, string> = { accept: 'application/json' };
    if (opts.body !== undefined) headers['content-type'] = 'application/json';
    if (opts.basicAuth) headers.authorization = 'Basic ' + Buffer.from(opts.basicAuth.join(':')).toString('base64');
    const req = request(
      url,
      {
        method: opts.method ?? (opts.body !== undefined ? 'POST' : 'GET'),
        headers,
        ca: opts.ca,
        cert: opts.cert,
        key: opts.key,
        rejectUnauthorized: !opts.insecure,
        timeout: opts.timeoutMs ?? 10_000,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
        res.on('error', reject);
      },
    );
    req.on('timeout', () => req.destroy(new Error(`no answer from ${url} within ${opts.timeoutMs ?? 10_000} ms`)));
    req.on('error', reject);
    req.end(opts.body);
  });
}
