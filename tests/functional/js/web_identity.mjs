// AssumeRoleWithWebIdentity with the AWS SDK for JavaScript v3, with no credentials at all: the
// SDK sends the call unsigned, and the credentials it returns act as the role.
// Run by tests/functional/test_web_identity_js.py with IAMD_ENDPOINT, ROLE_ARN and TOKEN set.
import assert from "node:assert/strict";
import { STSClient, AssumeRoleWithWebIdentityCommand, GetCallerIdentityCommand } from "@aws-sdk/client-sts";

const endpoint = process.env.IAMD_ENDPOINT;
const region = "us-east-1";
const sts = new STSClient({ endpoint, region });
const out = await sts.send(new AssumeRoleWithWebIdentityCommand({
  RoleArn: process.env.ROLE_ARN, RoleSessionName: "js", WebIdentityToken: process.env.TOKEN,
}));
assert.match(out.Credentials.AccessKeyId, /^ASIA/);
assert.ok(out.Credentials.Expiration instanceof Date);
assert.equal(out.Audience, "sts.amazonaws.com");
assert.match(out.AssumedRoleUser.Arn, /:assumed-role\/web\/js$/);
const asRole = new STSClient({
  endpoint, region,
  credentials: {
    accessKeyId: out.Credentials.AccessKeyId, secretAccessKey: out.Credentials.SecretAccessKey,
    sessionToken: out.Credentials.SessionToken,
  },
});
const who = await asRole.send(new GetCallerIdentityCommand({}));
assert.equal(who.Arn, out.AssumedRoleUser.Arn);
assert.equal(who.UserId, out.AssumedRoleUser.AssumedRoleId);
console.log("js web identity: ok");
