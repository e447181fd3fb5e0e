import type { TapConfig } from './config.js';

/** A failure in plain words: what happened and what to do. */
export function plainError(error: unknown, config: TapConfig | undefined): string {
  const e = error as { code?: string; message?: string } | null;
  const where = config ? `${config.host}:${config.port}` : 'the server';
  switch (e?.code) {
    case 'ECONNREFUSED':
      return `could not connect to PostgreSQL at ${where}: connection refused. Check the host and port, and that the server accepts connections from this machine.`;
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return `could not find the host ${config?.host ?? ''}. Check the host name.`;
    case 'ECONNRESET':
    case 'CONNECTION_CLOSED':
    case 'CONNECTION_ENDED':
    case 'CONNECTION_DESTROYED':
      return `the connection to PostgreSQL at ${where} was lost (${e.message ?? e.code}). The server may have restarted or closed it; run the sync again.`;
    case '57014':
      return `PostgreSQL cancelled the read (${e.message ?? ''}); a statement time limit may be set for this user.`;
    case 'ETIMEDOUT':
    case 'CONNECT_TIMEOUT':
      return `PostgreSQL at ${where} did not answer in time. Check the host, port and firewall.`;
    case 'DEPTH_ZERO_SELF_SIGNED_CERT':
    case 'SELF_SIGNED_CERT_IN_CHAIN':
    case 'UNABLE_TO_VERIFY_LEAF_SIGNATURE':
    case 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY':
    case 'CERT_HAS_EXPIRED':
    case 'ERR_TLS_CERT_ALTNAME_INVALID':
      return `the certificate of PostgreSQL at ${where} could not be verified (${e.message ?? e.code}). Give the server a certificate signed by a trusted authority for this host name, or choose the SSL mode "require", which encrypts without checking the certificate.`;
    case 'SSL_REFUSED':
      return `PostgreSQL at ${where} does not accept encrypted (SSL) connections, and the settings require one. Turn SSL on at the server, or choose an SSL mode that allows an unencrypted connection.`;
    case '28P01':
      return `PostgreSQL refused the password for user "${config?.user ?? ''}". Check the user and password.`;
    case '28000':
      return `PostgreSQL does not let user "${config?.user ?? ''}" connect to database "${config?.database ?? ''}" from here (${e.message ?? ''}). Ask the database's administrator to allow it.`;
    case '3D000':
      return `database "${config?.database ?? ''}" does not exist on ${where}. Check the database name.`;
    case '42P01':
      return `a table is gone: ${e.message ?? ''}. Run discovery again and update the selection.`;
    case '42501':
      return `no permission: ${e.message ?? ''}. Give the user read access (SELECT) to the tables.`;
    default:
      return e?.message ?? String(error);
  }
}
