import { isIP } from 'node:net';
import type { ConnectionOptions } from 'node:tls';
import type { Endpoint } from '../protocol/endpoint.js';

/**
 * The `tls.connect` options for one dial. SNI and the certificate's host name check use the name
 * of the endpoint dialled: a `servername` the user gave applies to the configured host only, so
 * that after a MOVING the new socket is verified against the name the MOVING gave (Jedis #4708
 * kept the old one). An IP address is never sent as SNI (RFC 6066); Node then checks the
 * certificate's IP SANs against it.
 */
export function tlsOptionsFor(endpoint: Endpoint, tls: ConnectionOptions, configuredHost: string | undefined): ConnectionOptions {
  const own = configuredHost === undefined || endpoint.host === configuredHost;
  const servername = own && tls.servername !== undefined ? tls.servername : isIP(endpoint.host) === 0 ? endpoint.host : undefined;
  const options: ConnectionOptions = { ...tls, host: endpoint.host, port: endpoint.port };
  if (servername === undefined) delete options.servername;
  else options.servername = servername;
  return options;
}

/** True when a dial failed because the peer's certificate did not verify (not a network fault). */
export function isCertificateError(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code !== 'string') return false;
  return code === 'ERR_TLS_CERT_ALTNAME_INVALID' || CERT_CODES.has(code);
}

const CERT_CODES: ReadonlySet<string> = new Set([
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE', 'SELF_SIGNED_CERT_IN_CHAIN', 'DEPTH_ZERO_SELF_SIGNED_CERT', 'CERT_HAS_EXPIRED',
  'CERT_NOT_YET_VALID', 'UNABLE_TO_GET_ISSUER_CERT', 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY', 'CERT_SIGNATURE_FAILURE',
  'CERT_UNTRUSTED', 'CERT_REJECTED', 'HOSTNAME_MISMATCH', 'INVALID_CA',
]);
