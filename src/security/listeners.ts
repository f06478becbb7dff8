/**
 * Kafka's listener settings: `listeners` (NAME://host:port, comma separated), `advertised.listeners`
 * (the address each listener gives clients in Metadata) and `listener.security.protocol.map`
 * (NAME:PROTOCOL). A listener named after a protocol needs no map entry, as in Kafka.
 */

export const SECURITY_PROTOCOLS = ['PLAINTEXT', 'SSL', 'SASL_PLAINTEXT', 'SASL_SSL'] as const;
export type SecurityProtocol = (typeof SECURITY_PROTOCOLS)[number];

export interface ListenerConfig {
  readonly name: string;
  readonly protocol: SecurityProtocol;
  /** Address to bind ('' in the listener spec means every interface: 0.0.0.0). */
  readonly host: string;
  readonly port: number;
  /** What Metadata answers for this listener; undefined means the address the client reached. */
  readonly advertisedHost: string | undefined;
  readonly advertisedPort: number | undefined;
}

/** The listener of a connection made without listener settings (tests, the default --host/--port). */
export const PLAINTEXT_LISTENER: ListenerConfig = {
  name: 'PLAINTEXT',
  protocol: 'PLAINTEXT',
  host: '0.0.0.0',
  port: 9092,
  advertisedHost: undefined,
  advertisedPort: undefined,
};

export function usesTls(protocol: SecurityProtocol): boolean {
  return protocol === 'SSL' || protocol === 'SASL_SSL';
}

export function usesSasl(protocol: SecurityProtocol): boolean {
  return protocol === 'SASL_PLAINTEXT' || protocol === 'SASL_SSL';
}

interface Endpoint {
  readonly name: string;
  readonly host: string;
  readonly port: number;
}

function parseEndpoints(list: string, what: string): Endpoint[] {
  const out: Endpoint[] = [];
  for (const raw of list.split(',')) {
    const spec = raw.trim();
    if (spec === '') continue;
    const m = /^([A-Za-z0-9_]+):\/\/(\[[^\]]*\]|[^:/]*):(\d+)$/.exec(spec);
    if (m === null) throw new Error(`${what}: "${spec}" is not NAME://host:port`);
    const port = Number(m[3]);
    if (port > 65535) throw new Error(`${what}: port ${port} of "${spec}" is out of range`);
    const host = m[2]!.startsWith('[') ? m[2]!.slice(1, -1) : m[2]!;
    const name = m[1]!.toUpperCase();
    if (out.some((e) => e.name === name)) throw new Error(`${what}: listener ${name} is named twice`);
    out.push({ name, host, port });
  }
  return out;
}

function parseProtocolMap(map: string | undefined): Map<string, SecurityProtocol> {
  const out = new Map<string, SecurityProtocol>(SECURITY_PROTOCOLS.map((p) => [p, p]));
  for (const raw of (map ?? '').split(',')) {
    const entry = raw.trim();
    if (entry === '') continue;
    const [name, protocol] = entry.split(':').map((s) => s.trim().toUpperCase());
    if (
      name === undefined ||
      protocol === undefined ||
      !SECURITY_PROTOCOLS.includes(protocol as SecurityProtocol)
    ) {
      throw new Error(
        `listener.security.protocol.map: "${entry}" is not NAME:PROTOCOL with PROTOCOL one of ${SECURITY_PROTOCOLS.join(', ')}`,
      );
    }
    out.set(name, protocol as SecurityProtocol);
  }
  return out;
}

/** Resolves the three settings into listeners; throws an Error naming the setting at fault. */
export function parseListeners(
  listeners: string,
  advertised: string | undefined,
  protocolMap: string | undefined,
): ListenerConfig[] {
  const map = parseProtocolMap(protocolMap);
  const bound = parseEndpoints(listeners, 'listeners');
  if (bound.length === 0) throw new Error('listeners: at least one listener is needed');
  const adverts = new Map(parseEndpoints(advertised ?? '', 'advertised.listeners').map((e) => [e.name, e]));
  for (const name of adverts.keys()) {
    if (!bound.some((b) => b.name === name)) {
      throw new Error(`advertised.listeners: ${name} is not one of the listeners`);
    }
  }
  return bound.map((b) => {
    const protocol = map.get(b.name);
    if (protocol === undefined) {
      throw new Error(
        `listener ${b.name} has no security protocol: add ${b.name}:PROTOCOL to listener.security.protocol.map`,
      );
    }
    const a = adverts.get(b.name);
    return {
      name: b.name,
      protocol,
      host: b.host === '' ? '0.0.0.0' : b.host,
      port: b.port,
      advertisedHost: a === undefined || a.host === '' ? undefined : a.host,
      advertisedPort: a?.port,
    };
  });
}
