import { ConfigError } from './errors.js';
import { REDACTED } from './option-values.js';

/** What a `redis://` / `rediss://` url sets. */
export interface UrlParts {
  host: string;
  port: number;
  tls: boolean;
  username?: string;
  password?: string;
  database?: number;
}

/** Parses the `url` option; a ConfigError (with the password redacted) when it is not a Redis URL. */
export function parseRedisUrl(value: unknown): UrlParts {
  const rule = 'a URL like redis://[user[:password]@]host[:port][/db] or rediss://…';
  if (typeof value !== 'string') throw new ConfigError('url', value, rule);
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new ConfigError('url', redactUrl(value), rule);
  }
  const shown = redactUrl(value);
  if (url.protocol !== 'redis:' && url.protocol !== 'rediss:') throw new ConfigError('url', shown, rule);
  if (url.hostname === '') throw new ConfigError('url', shown, `${rule} (host missing)`);
  if (url.search !== '' || url.hash !== '') throw new ConfigError('url', shown, `${rule} (no query or fragment)`);
  const dbText = url.pathname.replace(/^\//, '');
  if (dbText !== '' && !/^\d{1,9}$/.test(dbText)) throw new ConfigError('url', shown, `${rule} (db must be a non-negative integer)`);
  let username: string;
  let password: string;
  try {
    username = decodeURIComponent(url.username);
    password = decodeURIComponent(url.password);
  } catch {
    throw new ConfigError('url', shown, `${rule} (bad percent-encoding in credentials)`);
  }
  const port = url.port === '' ? 6379 : Number(url.port);
  if (port < 1) throw new ConfigError('url', shown, `${rule} (port from 1 to 65535)`);
  return {
    host: url.hostname.startsWith('[') ? url.hostname.slice(1, -1) : url.hostname,
    port,
    tls: url.protocol === 'rediss:',
    ...(username === '' ? {} : { username }),
    ...(password === '' ? {} : { password }),
    ...(dbText === '' ? {} : { database: Number(dbText) }),
  };
}

/** The URL with its password (all of the user info when unsure) replaced, so errors never leak it. */
function redactUrl(text: string): string {
  const scheme = text.indexOf('://');
  const start = scheme === -1 ? 0 : scheme + 3;
  const at = text.lastIndexOf('@');
  if (at < start) return text;
  const colon = text.indexOf(':', start);
  const keep = colon !== -1 && colon < at ? colon + 1 : start;
  return `${text.slice(0, keep)}${REDACTED}${text.slice(at)}`;
}
