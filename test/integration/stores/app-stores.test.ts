import { createAppStores } from '../../../stores/app-stores';
import { appStoresContract } from '../../contracts/app-stores.contract';
import { freshDatabase } from '../../support/db';
import { fakeGateway } from '../../support/fakes/gateway';
import { loadWorld } from '../../support/fakes/load-world';

const { db } = await freshDatabase();

// The knex stores of the application layer on PostgreSQL, held to the contract its in-memory fakes pass too
// (test/unit/store-fakes.test.ts). Each case writes its world first, as the only data there.
appStoresContract('knex', async (w, gateway = fakeGateway().gateway) => {
  await loadWorld(db, w);
  return createAppStores(db, gateway);
});
