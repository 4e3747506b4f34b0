/** `k3s agent --server URL --token T`: pin the CA from the token, then post heartbeats to the server. */
import { hostname } from 'node:os';
import { str, list, type ParsedFlags } from './args.ts';
import { httpsRequest } from './https.ts';
import { fatal, FatalError, log, redact } from './log.ts';
import { defaultNodeIp } from './netinfo.ts';
import { ensureNodePassword } from './nodePassword.ts';
import { notifyReady } from './notify.ts';
import { caHash } from './pki.ts';
import { redactedArgs } from './server/run.ts';
import { AGENT_HEARTBEAT_PATH } from './server/agentRoute.ts';
import { HEARTBEAT_MS } from './server/nodes.ts';
import { parseToken, tokenFrom } from './token.ts';
import { K3S_VERSION } from './version.ts';

/** How often a waiting agent asks again: k3s's agent says it retries "every few seconds" (k3s #6054). */
const RETRY_MS = 5_000;

export async function runAgent(flags: ParsedFlags, argv: string[]): Promise<void> {
  const server = str(flags, 'server');
  const raw = tokenFrom(str(flags, 'token'), str(flags, 'token-file'));
  if (!server) fatal('--server is required for agent (or K3S_URL)');
  if (!raw) fatal('--token is required for agent (or K3S_TOKEN / --token-file)');
  redact(raw);
  const tok = parseToken(raw);
  redact(tok.secret);
  const name = (str(flags, 'node-name') ?? hostname()).toLowerCase();
  const ip = str(flags, 'node-ip') ?? defaultNodeIp();
  log('info', `Starting k3s agent ${K3S_VERSION} (lab double) ${name} on ${ip}, server ${server}`);

  const cacerts = await serverCaCerts(server);
  if (tok.caHash && caHash(cacerts.body) !== tok.caHash) fatal('token CA hash does not match the Cluster CA certificate hash');

  const password = ensureNodePassword();
  const body = JSON.stringify({ name, ip, server: false, labels: list(flags, 'node-label'), args: redactedArgs(['agent', ...argv]), password });
  let ready = false;
  for (;;) {
    try {
      const r = await httpsRequest(`${server}${AGENT_HEARTBEAT_PATH}`, { ca: cacerts.body, body, basicAuth: ['node', tok.secret] });
      if (r.status === 401) fatal(`the server ${server} refused the token (401 Unauthorized); check K3S_TOKEN`);
      if (r.status === 403) {
        // k3s retries for ever, saying so at info level (k3s #6054): the node stays not ready.
        log('info', `Waiting to retrieve agent configuration; server is not ready: ${r.body.trim()}`);
        await new Promise((res) => setTimeout(res, RETRY_MS));
        continue;
      }
      if (r.status !== 200) throw new Error(`HTTP ${r.status}`);
      if (!ready) {
        ready = true;
        await notifyReady('k3s agent (lab double) is up and running');
        log('info', 'k3s agent is up and running');
      }
    } catch (e) {
      if (e instanceof FatalError) throw e;
      log('warning', `Heartbeat to ${server} failed: ${(e as Error).message}`);
    }
    await new Promise((r) => setTimeout(r, HEARTBEAT_MS));
  }
}

/**
 * The server's CA, waiting for the server as k3s's agent does: an agent that boots before its
 * server (every site power-up) retries every few seconds, saying so at info level ("Waiting to
 * retrieve agent configuration; server is not ready: …", k3s pkg/agent/config; the line quoted in
 * k3s #6054), instead of exiting.
 */
async function serverCaCerts(server: string): Promise<{ status: number; body: string }> {
  for (;;) {
    const why = await httpsRequest(`${server}/cacerts`, { insecure: true }).then(
      (r) => (r.status === 200 ? r : `failed to get CA certs from ${server}/cacerts: HTTP ${r.status}`),
      (e: Error) => `failed to get CA certs from ${server}/cacerts: ${e.message}`,
    );
    if (typeof why !== 'string') return why;
    log('info', `Waiting to retrieve agent configuration; server is not ready: ${why}`);
    await new Promise((r) => setTimeout(r, RETRY_MS));
  }
}
