// Smoke test with the AWS SDK for JavaScript v3: it signs extra headers (amz-sdk-*,
// x-amz-content-sha256), encodes spaces as %20 and reads the request id from x-amzn-RequestId.
// Run by tests/functional/test_js_sdk.py with IAMD_ENDPOINT and AWS_* credentials in the environment.
import assert from "node:assert/strict";
import {
  IAMClient, CreateUserCommand, GetUserCommand, ListUsersCommand, CreateAccessKeyCommand,
  DeleteUserCommand, TagUserCommand, ListUserTagsCommand,
} from "@aws-sdk/client-iam";
import { STSClient, GetCallerIdentityCommand } from "@aws-sdk/client-sts";

const endpoint = process.env.IAMD_ENDPOINT;
const region = "us-east-1";
const iam = new IAMClient({ endpoint, region });
const sts = new STSClient({ endpoint, region });

const who = await sts.send(new GetCallerIdentityCommand({}));
assert.equal(who.Arn, `arn:aws:iam::${who.Account}:root`);
assert.match(who.$metadata.requestId, /^[0-9a-f-]{36}$/);

const created = await iam.send(new CreateUserCommand({
  UserName: "js-user", Path: "/js/", Tags: [{ Key: "team name", Value: "a value with spaces and symbols +=@:" }],
}));
assert.equal(created.User.Arn, `arn:aws:iam::${who.Account}:user/js/js-user`);
assert.ok(created.User.CreateDate instanceof Date);

await iam.send(new TagUserCommand({ UserName: "js-user", Tags: [{ Key: "unicode", Value: "żółw 42" }] }));
const tags = await iam.send(new ListUserTagsCommand({ UserName: "js-user" }));
assert.deepEqual(tags.Tags, [
  { Key: "team name", Value: "a value with spaces and symbols +=@:" },
  { Key: "unicode", Value: "żółw 42" },
]);

const listed = await iam.send(new ListUsersCommand({ PathPrefix: "/js/" }));
assert.deepEqual(listed.Users.map((u) => u.UserName), ["js-user"]);
assert.equal(listed.IsTruncated, false);

const key = await iam.send(new CreateAccessKeyCommand({ UserName: "js-user" }));
const asUser = new STSClient({
  endpoint, region,
  credentials: { accessKeyId: key.AccessKey.AccessKeyId, secretAccessKey: key.AccessKey.SecretAccessKey },
});
const userIdentity = await asUser.send(new GetCallerIdentityCommand({}));
assert.equal(userIdentity.Arn, created.User.Arn);

try {
  await iam.send(new GetUserCommand({ UserName: "nobody" }));
  assert.fail("expected NoSuchEntity");
} catch (err) {
  assert.equal(err.name, "NoSuchEntityException");
  assert.equal(err.$metadata.httpStatusCode, 404);
  assert.match(err.$metadata.requestId, /^[0-9a-f-]{36}$/);
}

try {
  await iam.send(new DeleteUserCommand({ UserName: "js-user" }));
  assert.fail("expected DeleteConflict");
} catch (err) {
  assert.equal(err.name, "DeleteConflictException");
}
console.log("js smoke: ok");
