/** One HTTPS request with the TLS material the double holds; Node 18's fetch cannot present client certs. */
import { request, type Agent } from 'node:https';

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

export interface RequestOptions extends TlsMaterial {
  method?: string;
  body?: string;
  basicAuth?: [string, string];
  timeoutMs?: number;
  /** A keep-alive agent: one TLS handshake for many requests instead of one each. */
  agent?: Agent;
}

export async function httpsRequest(url: string, opts: RequestOptions): Promise<HttpsResult> {
  try {
    return await requestOnce(url, opts);
  } catch (e) {
    // A kept-alive socket the server closed while idle fails the next request before any answer;
    // Node's http docs ask the caller to retry that once (request.reusedSocket).
    if ((e as { reusedSocket?: boolean }).reusedSocket && (e as NodeJS.ErrnoException).code === 'ECONNRESET') return requestOnce(url, opts);
    throw e;
  }
}

function requestOnce(url: string, opts: RequestOptions): Promise<HttpsResult> {
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
        ...(opts.agent ? { agent: opts.agent } : {}),
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
        res.on('error', reject);
      },
    );
    req.on('timeout', () => req.destroy(new Error(`no answer from ${url} within ${opts.timeoutMs ?? 10_000} ms`)));
    req.on('error', (e) => reject(Object.assign(e, { reusedSocket: req.reusedSocket })));
    req.end(opts.body);
  });
}
