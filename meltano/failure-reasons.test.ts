import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { explainFailure } from './failure-reasons.js';

/** What meltanolabs-tap-postgres 0.10.0 printed on stderr, captured from real runs (fixtures/). */
const sample = async (name: string) => (await readFile(new URL(`./fixtures/${name}`, import.meta.url), 'utf8')).split('\n');

describe('explainFailure names the stream and the column or table the source lost', () => {
  it('a replication key column dropped after discovery (the tap fails with a KeyError)', async () => {
    expect(explainFailure(await sample('tap-postgres-key-column-dropped.log'))).toEqual({
      message: 'Stream "public-orders_x1": the column "updated_at" no longer exists in the source. Run a discovery again, then choose another key or a full-refresh mode for this stream, or restore the column.',
      settings: [],
      transient: false,
    });
  });

  it('a table dropped after discovery', async () => {
    expect(explainFailure(await sample('tap-postgres-table-dropped.log')).message).toBe(
      'Stream "public-gone_x1": the table "public.gone_x1" no longer exists in the source. Run a discovery again and take this stream out of the pipeline, or restore the table.',
    );
  });

  it("psycopg2's own words, through SQLAlchemy, quoted or qualified", () => {
    const head = ["2026-11-25 10:19:37,066 | INFO     | tap-postgres.public-orders  | Beginning sync of 'public-orders' in incremental mode"];
    expect(explainFailure([...head, 'sqlalchemy.exc.ProgrammingError: (psycopg2.errors.UndefinedColumn) column "nope" does not exist', 'LINE 1: select "nope" from public.orders']).message).toBe(
      'Stream "public-orders": the column "nope" no longer exists in the source. Run a discovery again, then choose another key or a full-refresh mode for this stream, or restore the column.',
    );
    expect(explainFailure(['(psycopg2.errors.UndefinedColumn) column orders_x1.nope does not exist', '[SQL: select public.orders_x1.nope from public.orders_x1]']).message).toMatch(/^the column "orders_x1.nope" no longer exists/);
    expect(explainFailure([...head, '(psycopg2.errors.UndefinedTable) relation "public.gone_x1" does not exist']).message).toMatch(/^Stream "public-orders": the table "public.gone_x1" no longer exists/);
  });

  it("tap-sluice-postgres's own checks of the live table, as the run's tail holds them", () => {
    const head = ['INFO tap-sluice-postgres: PostgreSQL at 127.0.0.1:5433, database shop, schemas public'];
    expect(explainFailure([...head, 'ERROR tap-sluice-postgres: stream "public-orders": the replication key column "updated_at" is not in the table'])).toEqual({
      message: 'Stream "public-orders": the column "updated_at" no longer exists in the source. Run a discovery again, then choose another key or a full-refresh mode for this stream, or restore the column.',
      settings: [],
      transient: false,
    });
    expect(explainFailure([...head, 'ERROR tap-sluice-postgres: stream "public-orders": the table or view is gone (or this user can no longer read it); run discovery again']).message).toBe(
      'Stream "public-orders": the table no longer exists in the source, or the user Sluice signs in as may no longer read it. Run a discovery again and take this stream out of the pipeline, or restore the table or the user\'s read access.',
    );
    expect(explainFailure(['ERROR tap-sluice-postgres: stream "Odd "s"-t": the replication key column "up "to"" is not in the table']).message).toMatch(/^Stream "Odd "s"-t": the column "up "to"" no longer exists/);
  });

  it('leaves other KeyErrors (a setting the tap wanted) to the general explanation', () => {
    expect(explainFailure(['Traceback (most recent call last):', "KeyError: 'host'"]).message).not.toMatch(/column/);
  });
});

describe('explainFailure: reading the change log', () => {
  it("goes first with the change log's own reasons (the slot gone from the server)", async () => {
    expect(explainFailure(await sample('tap-postgres-log-based-slot-missing.log'))).toEqual({
      message: expect.stringMatching(/^The source no longer has this pipeline's change-log slot .*Sync again/),
      settings: [],
      transient: false,
    });
  });

  it('says what an administrator must change, and which failures may pass', () => {
    expect(explainFailure(['psycopg2.errors.ObjectNotInPrerequisiteState: logical decoding requires wal_level >= logical']).message).toMatch(/wal_level = logical/);
    expect(explainFailure(['psycopg2.errors.ObjectInUse: replication slot "sluice_ab" is active for PID 4242'])).toMatchObject({ transient: true, message: expect.stringMatching(/Another sync of this pipeline/) });
    // a timeout without the change log in sight is the general rule's
    expect(explainFailure(['canceling statement due to statement timeout']).message).toMatch(/did not answer in time|stopped with an error/);
  });
});

describe('explainFailure on what pipelinewise-tap-mysql prints', () => {
  const serverLines = [
    'time=2026-12-02 19:21:16 name=tap_mysql level=INFO message=Server Parameters: version: 10.11.19-MariaDB-0+deb12u1, wait_timeout: 28800',
    'time=2026-12-02 19:21:16 name=tap_mysql level=INFO message=Server SSL Parameters(blank means SSL is not active): [ssl_version: ], [ssl_cipher: ]',
  ];

  it('does not take its "SSL is not active" line for a TLS failure', () => {
    expect(explainFailure([...serverLines, 'Exception: only INCREMENTAL, LOG_BASED, and FULL TABLE replication methods are supported']).message).toBe(
      'The connector stopped with an error: only INCREMENTAL, LOG_BASED, and FULL TABLE replication methods are supported',
    );
  });

  it('still names a real TLS failure and the ssl setting', () => {
    expect(explainFailure([...serverLines, "pymysql.err.OperationalError: (2003, \"Can't connect to MySQL server on '10.0.0.5' ([SSL: WRONG_VERSION_NUMBER] wrong version number (_ssl.c:1006))\")"])).toMatchObject({
      message: expect.stringMatching(/secure \(SSL\/TLS\) connection failed/),
      settings: expect.arrayContaining(['ssl']),
    });
  });
});

describe("explainFailure on what tap-sluice-postgres (the built-in PostgreSQL source) prints", () => {
  // Its lines as it printed them against the sources' PostgreSQL (2026-12-03), after its first line.
  const tap = (error: string) => ['INFO tap-sluice-postgres: PostgreSQL at 127.0.0.1:5433, database postgres', `ERROR tap-sluice-postgres: ${error}`];

  it('a wrong password: the credentials, with the password named first (the field the wizard focuses)', () => {
    expect(explainFailure(tap('PostgreSQL refused the password for user "sluice_password_login". Check the user and password.'))).toEqual({
      message: 'The server rejected the credentials for user "sluice_password_login". Check the user name and password (or token).',
      settings: ['password', 'user', 'client_secret', 'refresh_token'],
      transient: false,
    });
  });

  it('a server that refuses, a host that does not resolve, or no answer: the host and port, worth retrying where it may pass', () => {
    expect(explainFailure(tap('could not connect to PostgreSQL at 127.0.0.1:1: connection refused. Check the host and port, and that the server accepts connections from this machine.'))).toMatchObject({
      message: expect.stringMatching(/^The server refused the connection/),
      settings: ['host', 'port'],
      transient: true,
    });
    expect(explainFailure(tap('could not find the host no-such-host.invalid. Check the host name.'))).toMatchObject({
      message: 'Could not find the server no-such-host.invalid: its name does not resolve. Check the host name, or whether this server can reach the internet.',
      settings: expect.arrayContaining(['host']),
      transient: false,
    });
    expect(explainFailure(tap('PostgreSQL at db.example.com:5432 did not answer in time. Check the host, port and firewall.'))).toMatchObject({ settings: ['host', 'port'], transient: true });
    expect(explainFailure(tap('the connection to PostgreSQL at 127.0.0.1:5433 was lost (CONNECTION_CLOSED). The server may have restarted or closed it; run the sync again.'))).toMatchObject({
      message: expect.stringMatching(/^The server closed the connection while Sluice was reading/),
      transient: true,
    });
  });

  it('a user or database the server does not know, or does not let in', () => {
    expect(explainFailure(tap('PostgreSQL does not let user "no_such_role_x" connect to database "postgres" from here (role "no_such_role_x" does not exist). Ask the database\'s administrator to allow it.'))).toMatchObject({
      message: 'The user "no_such_role_x" does not exist on that server. Check the user name.',
      settings: ['user'],
    });
    expect(explainFailure(tap('PostgreSQL does not let user "ana" connect to database "shop" from here (no pg_hba.conf entry for host "10.0.0.9", user "ana", database "shop", no encryption). Ask the database\'s administrator to allow it.'))).toMatchObject({
      message: 'The server does not let the user "ana" connect to the database "shop" from Sluice. Check the user and database names, or ask the database\'s administrator to allow this connection.',
      settings: ['user', 'database'],
    });
    expect(explainFailure(tap('database "no_such_db" does not exist on 127.0.0.1:5433. Check the database name.'))).toMatchObject({ message: expect.stringMatching(/^The database "no_such_db" does not exist/), settings: ['database'] });
  });

  it('anything else in its own words, without its level and name', () => {
    expect(explainFailure(tap('PostgreSQL cancelled the read (canceling statement due to statement timeout); a statement time limit may be set for this user.')).message).toBe(
      'The connector stopped with an error: PostgreSQL cancelled the read (canceling statement due to statement timeout); a statement time limit may be set for this user.',
    );
  });
});
