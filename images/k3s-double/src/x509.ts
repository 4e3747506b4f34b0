/**
 * Minimal X.509 v3 issuing with ECDSA P-256, in DER written by hand.
 * Why by hand: Node can verify and parse certificates but cannot create them, and the
 * double must not depend on openssl being in the lab OS nor on a runtime library.
 */
import { createHash, createPrivateKey, createPublicKey, generateKeyPairSync, randomBytes, sign, type KeyObject } from 'node:crypto';
import { isIPv4 } from 'node:net';

function derLength(n: number): Buffer {
  if (n < 0x80) return Buffer.from([n]);
  const bytes: number[] = [];
  for (let v = n; v > 0; v >>= 8) bytes.unshift(v & 0xff);
  return Buffer.from([0x80 | bytes.length, ...bytes]);
}

function tlv(tag: number, ...content: Buffer[]): Buffer {
  const body = Buffer.concat(content);
  return Buffer.concat([Buffer.from([tag]), derLength(body.length), body]);
}

const seq = (...items: Buffer[]) => tlv(0x30, ...items);
const set = (...items: Buffer[]) => tlv(0x31, ...items);
const octets = (b: Buffer) => tlv(0x04, b);
const bitString = (b: Buffer, unused = 0) => tlv(0x03, Buffer.from([unused]), b);
const bool = (v: boolean) => tlv(0x01, Buffer.from([v ? 0xff : 0]));
const utf8 = (s: string) => tlv(0x0c, Buffer.from(s, 'utf8'));
const explicit = (n: number, inner: Buffer) => tlv(0xa0 | n, inner);

function integer(b: Buffer): Buffer {
  let i = 0;
  while (i < b.length - 1 && b[i] === 0 && (b[i + 1]! & 0x80) === 0) i++;
  const trimmed = b.subarray(i);
  return tlv(0x02, trimmed[0]! & 0x80 ? Buffer.concat([Buffer.from([0]), trimmed]) : trimmed);
}

function oid(dotted: string): Buffer {
  const parts = dotted.split('.').map(Number);
  const out: number[] = [parts[0]! * 40 + parts[1]!];
  for (const p of parts.slice(2)) {
    const chunk: number[] = [p & 0x7f];
    for (let v = Math.floor(p / 128); v > 0; v = Math.floor(v / 128)) chunk.unshift((v & 0x7f) | 0x80);
    out.push(...chunk);
  }
  return tlv(0x06, Buffer.from(out));
}

function time(d: Date): Buffer {
  const iso = d.toISOString().replace(/[-:T]/g, '').slice(0, 14) + 'Z'; // YYYYMMDDHHMMSSZ
  return d.getUTCFullYear() < 2050 ? tlv(0x17, Buffer.from(iso.slice(2))) : tlv(0x18, Buffer.from(iso));
}

export interface DistinguishedName {
  commonName: string;
  organization?: string;
}

function name(dn: DistinguishedName): Buffer {
  const rdns = [];
  if (dn.organization) rdns.push(set(seq(oid('2.5.4.10'), utf8(dn.organization))));
  rdns.push(set(seq(oid('2.5.4.3'), utf8(dn.commonName))));
  return seq(...rdns);
}

function extension(id: string, critical: boolean, value: Buffer): Buffer {
  return seq(oid(id), ...(critical ? [bool(true)] : []), octets(value));
}

/** keyUsage bits in RFC 5280 order, as DER wants them: minimal, with the unused-bit count. */
function keyUsage(bits: number[]): Buffer {
  let v = 0;
  for (const b of bits) v |= 0x80 >> b;
  let unused = 0;
  while (unused < 7 && ((v >> unused) & 1) === 0) unused++;
  return bitString(Buffer.from([v]), unused);
}

function subjectAltNames(names: string[]): Buffer {
  return seq(
    ...names.map((n) =>
      isIPv4(n) ? tlv(0x87, Buffer.from(n.split('.').map(Number))) : tlv(0x82, Buffer.from(n, 'ascii')),
    ),
  );
}

const ECDSA_SHA256 = '1.2.840.10045.4.3.2';

export interface KeyPair {
  privateKeyPem: string;
  privateKey: KeyObject;
  spkiDer: Buffer;
}

export function newKeyPair(): KeyPair {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
  return {
    privateKey,
    privateKeyPem: privateKey.export({ type: 'sec1', format: 'pem' }).toString(),
    spkiDer: publicKey.export({ type: 'spki', format: 'der' }),
  };
}

export function keyPairFromPem(pem: string): KeyPair {
  const privateKey = createPrivateKey(pem);
  return { privateKey, privateKeyPem: pem, spkiDer: createPublicKey(privateKey).export({ type: 'spki', format: 'der' }) };
}

/** The key identifier RFC 5280 suggests: SHA-1 of the subjectPublicKey bits. */
function keyId(spkiDer: Buffer): Buffer {
  // For P-256 the SPKI ends with the 65-byte uncompressed point.
  return createHash('sha1').update(spkiDer.subarray(spkiDer.length - 65)).digest();
}

export interface IssueOptions {
  subject: DistinguishedName;
  subjectKey: KeyPair;
  /** Omit for a self-signed CA. */
  issuer?: { name: DistinguishedName; key: KeyPair };
  isCa: boolean;
  serverAuth?: boolean;
  clientAuth?: boolean;
  altNames?: string[];
  days: number;
}

function pem(label: string, der: Buffer): string {
  const b64 = der.toString('base64').replace(/(.{64})/g, '$1\n').replace(/\n$/, '');
  return `-----BEGIN ${label}-----\n${b64}\n-----END ${label}-----\n`;
}

/** Issues one certificate and returns it as PEM. */
export function issueCertificate(o: IssueOptions): string {
  const issuerName = o.issuer?.name ?? o.subject;
  const issuerKey = o.issuer?.key ?? o.subjectKey;
  const notBefore = new Date(Date.now() - 60 * 60_000); // an hour back, for clocks a little behind
  const notAfter = new Date(Date.now() + o.days * 86_400_000);
  const serial = randomBytes(16);
  serial[0]! &= 0x7f;

  const exts: Buffer[] = [
    extension('2.5.29.19', true, o.isCa ? seq(bool(true)) : seq()),
    extension('2.5.29.15', true, o.isCa ? keyUsage([0, 5, 6]) : keyUsage([0, 2])),
    extension('2.5.29.14', false, octets(keyId(o.subjectKey.spkiDer))),
  ];
  if (o.issuer) exts.push(extension('2.5.29.35', false, seq(tlv(0x80, keyId(issuerKey.spkiDer)))));
  const eku = [
    ...(o.serverAuth ? [oid('1.3.6.1.5.5.7.3.1')] : []),
    ...(o.clientAuth ? [oid('1.3.6.1.5.5.7.3.2')] : []),
  ];
  if (eku.length) exts.push(extension('2.5.29.37', false, seq(...eku)));
  if (o.altNames?.length) exts.push(extension('2.5.29.17', false, subjectAltNames(o.altNames)));

  const tbs = seq(
    explicit(0, integer(Buffer.from([2]))),
    integer(serial),
    seq(oid(ECDSA_SHA256)),
    name(issuerName),
    seq(time(notBefore), time(notAfter)),
    name(o.subject),
    o.subjectKey.spkiDer,
    explicit(3, seq(...exts)),
  );
  const signature = sign('sha256', tbs, issuerKey.privateKey);
  return pem('CERTIFICATE', seq(tbs, seq(oid(ECDSA_SHA256)), bitString(signature)));
}
