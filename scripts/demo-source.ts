import postgres from 'postgres';
import { ensureDatabase } from '../db/migrate.js';

/**
 * A small shop database on the sources' PostgreSQL (setup.sh starts it; `up` allows
 * connectors to reach exactly it), so a new user has something real to sync on day one.
 * Idempotent: tables are created and filled once.
 */
export async function provisionDemoSource(databaseUrl: string): Promise<{ url: string; host: string; port: number; database: string; user: string }> {
  const url = new URL(databaseUrl);
  url.pathname = '/demo_shop';
  await ensureDatabase(url.toString());
  const sql = postgres(url.toString(), { max: 1, onnotice: () => {} });
  try {
    await sql.begin(async (tx) => {
      await tx`create table if not exists customers (id serial primary key, name text not null, email text unique, country text, created_at timestamptz not null default now())`;
      await tx`create table if not exists products (id serial primary key, sku text unique not null, title text not null, price numeric(10,2) not null, tags text[] not null default '{}')`;
      await tx`create table if not exists orders (id serial primary key, customer_id int references customers(id), product_id int references products(id), quantity int not null, status text not null, details jsonb, ordered_at timestamptz not null)`;
      const [{ count }] = (await tx`select count(*)::int as count from customers`) as unknown as [{ count: number }];
      if (count > 0) return;
      await tx`insert into customers (name, email, country, created_at) values
        ('Ada Lovelace', 'ada@example.com', 'GB', '2024-01-05T09:00:00Z'),
        ('Grace Hopper', 'grace@example.com', 'US', '2024-01-06T10:30:00Z'),
        ('Zoë Ångström', 'zoe@example.com', 'SE', '2024-02-11T14:15:00Z'),
        ('Kenji Sato', 'kenji@example.com', 'JP', '2024-03-01T00:00:00Z')`;
      await tx`insert into products (sku, title, price, tags) values
        ('MUG-01', 'Enamel mug', 12.50, '{kitchen,gift}'),
        ('TEE-02', 'Organic T-shirt', 24.00, '{apparel}'),
        ('LMP-03', 'Desk lamp', 49.90, '{office,lighting}')`;
      await tx`insert into orders (customer_id, product_id, quantity, status, details, ordered_at)
        select 1 + (g % 4), 1 + (g % 3), 1 + (g % 5), (array['paid','shipped','refunded'])[1 + g % 3],
               jsonb_build_object('channel', (array['web','store'])[1 + g % 2], 'coupon', case when g % 7 = 0 then 'WELCOME' end),
               timestamptz '2024-04-01T00:00:00Z' + g * interval '7 hours'
        from generate_series(1, 250) as g`;
    });
  } finally {
    await sql.end({ timeout: 5 });
  }
  return { url: url.toString(), host: url.hostname, port: Number(url.port || 5432), database: 'demo_shop', user: decodeURIComponent(url.username) };
}
