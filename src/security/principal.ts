import { X509Certificate } from 'node:crypto';

/** Kafka's KafkaPrincipal: a type and a name, written "User:alice". */
export interface Principal {
  readonly type: string;
  readonly name: string;
}

/** Who a PLAINTEXT connection, or an SSL one without a client certificate, is. */
export const ANONYMOUS: Principal = { type: 'User', name: 'ANONYMOUS' };

export function principalString(p: Principal): string {
  return `${p.type}:${p.name}`;
}

/** Parses "Type:name" (the name may itself contain colons). */
export function parsePrincipal(text: string): Principal {
  const at = text.indexOf(':');
  if (at <= 0) throw new Error(`principal "${text}" is not Type:name`);
  return { type: text.slice(0, at), name: text.slice(at + 1) };
}

export function samePrincipal(a: Principal, b: Principal): boolean {
  return a.type === b.type && a.name === b.name;
}

/** RFC 2253 escaping of an attribute value, as Java's X500Principal.getName() writes it. */
function escapeRdnValue(value: string): string {
  let out = value.replace(/[,+"\\<>;]/g, (c) => `\\${c}`);
  if (out.startsWith('#') || out.startsWith(' ')) out = `\\${out}`;
  if (out.endsWith(' ')) out = `${out.slice(0, -1)}\\ `;
  return out;
}

/**
 * Kafka's default SSL principal: the certificate subject as an RFC 2253 distinguished name, most
 * specific attribute first ("User:CN=alice,OU=eng,O=acme,C=US").
 */
export function principalFromCertificate(raw: Buffer): Principal {
  const subject = new X509Certificate(raw).subject;
  const rdns = subject
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => {
      const eq = line.indexOf('=');
      return `${line.slice(0, eq)}=${escapeRdnValue(line.slice(eq + 1))}`;
    })
    .reverse();
  return { type: 'User', name: rdns.join(',') };
}
