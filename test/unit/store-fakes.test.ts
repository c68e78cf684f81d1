import { appStoresContract } from '../contracts/app-stores.contract';
import { fakeGateway } from '../support/fakes/gateway';
import { fakeAppStores } from '../support/fakes/stores';

// The in-memory fakes the application layer's unit tests run on, held to the contract the knex stores pass
// on PostgreSQL (test/integration/stores/app-stores.test.ts).
appStoresContract('in-memory fake', async (w, gateway = fakeGateway().gateway) => fakeAppStores(w, gateway));
