// The one barrel: drizzle needs every table in one object.
export * from './tenants.js';
export * from './accounts.js';
export * from './invitations.js';
export * from './plugins.js';
export * from './connectors.js';
export * from './pipelines.js';
export * from './runs.js';
export * from './audit.js';
export * from './warehouse.js';
