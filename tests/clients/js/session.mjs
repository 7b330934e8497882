// A realistic JS SDK v3 session against the emulator (run by tests/sdk/clients.rs):
// DynamoDBClient with the endpoint from AWS_ENDPOINT_URL, the DocumentClient
// (@aws-sdk/lib-dynamodb), paginators and waiters.
import {
  CreateTableCommand, DeleteTableCommand, DescribeTableCommand, DynamoDBClient,
  waitUntilTableExists, waitUntilTableNotExists,
} from '@aws-sdk/client-dynamodb';
import {
  BatchGetCommand, BatchWriteCommand, DeleteCommand, DynamoDBDocumentClient, GetCommand, NumberValue,
  PutCommand, QueryCommand, TransactWriteCommand, UpdateCommand, paginateQuery, paginateScan,
} from '@aws-sdk/lib-dynamodb';

let checks = 0;
const check = (ok, what) => {
  if (!ok) throw new Error(`FAILED: ${what}`);
  checks += 1;
  console.log(`ok   ${what}`);
};

const client = new DynamoDBClient({ endpoint: process.env.AWS_ENDPOINT_URL, region: process.env.AWS_REGION });
const doc = DynamoDBDocumentClient.from(client, {
  marshallOptions: { removeUndefinedValues: true, convertClassInstanceToMap: true },
  unmarshallOptions: { wrapNumbers: false },
});
const waiter = { client, minDelay: 1, maxDelay: 2, maxWaitTime: 30 };

const created = await client.send(new CreateTableCommand({
  TableName: 'Sessions',
  KeySchema: [{ AttributeName: 'userId', KeyType: 'HASH' }, { AttributeName: 'startedAt', KeyType: 'RANGE' }],
  AttributeDefinitions: [
    { AttributeName: 'userId', AttributeType: 'S' },
    { AttributeName: 'startedAt', AttributeType: 'N' },
    { AttributeName: 'device', AttributeType: 'S' },
  ],
  GlobalSecondaryIndexes: [{
    IndexName: 'byDevice',
    KeySchema: [{ AttributeName: 'device', KeyType: 'HASH' }, { AttributeName: 'startedAt', KeyType: 'RANGE' }],
    Projection: { ProjectionType: 'KEYS_ONLY' },
  }],
  BillingMode: 'PAY_PER_REQUEST',
}));
check(created.TableDescription.TableStatus === 'CREATING', 'a new table is CREATING');
const waited = await waitUntilTableExists(waiter, { TableName: 'Sessions' });
check(waited.state === 'SUCCESS', 'waitUntilTableExists succeeds');
const described = await client.send(new DescribeTableCommand({ TableName: 'Sessions' }));
check(described.Table.TableStatus === 'ACTIVE', 'the table is ACTIVE after the waiter');

// BatchWrite in chunks of 25, as applications do.
const devices = ['ios', 'android', 'web'];
const sessions = Array.from({ length: 90 }, (_, i) => ({
  userId: `u${i % 6}`,
  startedAt: 1_700_000_000 + i,
  device: devices[i % 3],
  pages: ['/home', '/cart'],
  meta: { ip: '127.0.0.1', score: i / 4, undefinedField: undefined },
  tags: new Set(['a', `t${i % 2}`]),
}));
for (let i = 0; i < sessions.length; i += 25) {
  const answer = await doc.send(new BatchWriteCommand({
    RequestItems: { Sessions: sessions.slice(i, i + 25).map((Item) => ({ PutRequest: { Item } })) },
  }));
  check(Object.keys(answer.UnprocessedItems ?? {}).length === 0, `batch ${i / 25 + 1} written`);
}

const one = await doc.send(new GetCommand({ TableName: 'Sessions', Key: { userId: 'u1', startedAt: 1_700_000_007 } }));
check(one.Item.device === 'android' && one.Item.meta.score === 1.75, 'GetCommand unmarshalls numbers and maps');
check(one.Item.tags instanceof Set && one.Item.tags.has('t1'), 'string sets come back as Set');
check(!('undefinedField' in one.Item.meta), 'removeUndefinedValues dropped undefined');

const big = '12345678901234567890.123456789';
await doc.send(new PutCommand({ TableName: 'Sessions', Item: { userId: 'big', startedAt: 1, amount: NumberValue.from(big) } }));
// A client of its own: DocumentClients made from one DynamoDBClient share its middleware.
const exact = new DynamoDBClient({ endpoint: process.env.AWS_ENDPOINT_URL, region: process.env.AWS_REGION });
const wrapped = DynamoDBDocumentClient.from(exact, { unmarshallOptions: { wrapNumbers: true } });
const bigBack = await wrapped.send(new GetCommand({ TableName: 'Sessions', Key: { userId: 'big', startedAt: 1 } }));
check(bigBack.Item.amount.toString() === big, 'a NumberValue round-trips exactly');

let pages = 0;
let items = 0;
for await (const page of paginateQuery({ client: doc, pageSize: 4 }, {
  TableName: 'Sessions',
  KeyConditionExpression: 'userId = :u AND startedAt BETWEEN :a AND :b',
  ExpressionAttributeValues: { ':u': 'u2', ':a': 1_700_000_000, ':b': 1_700_000_100 },
})) {
  pages += 1;
  items += page.Items.length;
}
check(items === 15 && pages >= 4, `paginateQuery: ${items} items in ${pages} pages`);

let scanned = 0;
for await (const page of paginateScan({ client: doc, pageSize: 20 }, { TableName: 'Sessions', IndexName: 'byDevice' })) {
  scanned += page.Count;
  check(page.Items.every((item) => Object.keys(item).sort().join() === 'device,startedAt,userId'), 'KEYS_ONLY index items');
}
check(scanned === 90, `paginateScan over the index: ${scanned} items`);

const web = await doc.send(new QueryCommand({
  TableName: 'Sessions', IndexName: 'byDevice', KeyConditionExpression: 'device = :d',
  ExpressionAttributeValues: { ':d': 'web' }, ScanIndexForward: false, Limit: 2,
}));
check(web.Items[0].startedAt === 1_700_000_089 && web.LastEvaluatedKey !== undefined,
  `Query on the index, newest first: ${JSON.stringify(web)}`);

const updated = await doc.send(new UpdateCommand({
  TableName: 'Sessions', Key: { userId: 'u0', startedAt: 1_700_000_000 },
  UpdateExpression: 'SET pages = list_append(pages, :p), meta.score = meta.score + :one ADD tags :t',
  ExpressionAttributeValues: { ':p': ['/checkout'], ':one': 1, ':t': new Set(['paid']) },
  ReturnValues: 'UPDATED_NEW',
}));
check(updated.Attributes.pages.length === 3 && updated.Attributes.meta.score === 1, 'UpdateCommand with UPDATED_NEW');

try {
  await doc.send(new DeleteCommand({
    TableName: 'Sessions', Key: { userId: 'u0', startedAt: 1_700_000_000 }, ConditionExpression: 'device = :d',
    ExpressionAttributeValues: { ':d': 'nokia' },
  }));
  check(false, 'a failed condition throws');
} catch (error) {
  check(error.name === 'ConditionalCheckFailedException' && error.$metadata.httpStatusCode === 400,
    `ConditionalCheckFailedException (${error.name})`);
}

try {
  await doc.send(new TransactWriteCommand({
    TransactItems: [
      { Put: { TableName: 'Sessions', Item: { userId: 'tx', startedAt: 1 } } },
      { ConditionCheck: { TableName: 'Sessions', Key: { userId: 'u0', startedAt: 1_700_000_000 }, ConditionExpression: 'attribute_not_exists(userId)' } },
    ],
  }));
  check(false, 'a cancelled transaction throws');
} catch (error) {
  check(error.name === 'TransactionCanceledException', `TransactionCanceledException (${error.name})`);
  check(error.CancellationReasons?.[1]?.Code === 'ConditionalCheckFailed', 'cancellation reasons name the check');
}

const fetched = await doc.send(new BatchGetCommand({
  RequestItems: { Sessions: { Keys: [{ userId: 'u0', startedAt: 1_700_000_000 }, { userId: 'tx', startedAt: 1 }] } },
}));
check(fetched.Responses.Sessions.length === 1, 'BatchGetCommand: the cancelled Put wrote nothing');

await client.send(new DeleteTableCommand({ TableName: 'Sessions' }));
const gone = await waitUntilTableNotExists(waiter, { TableName: 'Sessions' });
check(gone.state === 'SUCCESS', 'waitUntilTableNotExists succeeds');
console.log(`JS SDK session passed: ${checks} checks`);
