// The API binds to loopback and believes X-Forwarded-For from loopback only unless told otherwise, so
// every deployment file must say both: which interface to serve, and which proxy names the client.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { REPO_ROOT } from '../scripts/services.mjs';

const { loadConfig } = await import(new URL('apps/api/dist/config/config.js', `file://${REPO_ROOT}/`).href);
const read = (path) => readFileSync(`${REPO_ROOT}/${path}`, 'utf8');
const SECRET = 'a'.repeat(64);

/** The first `KEY: value` (YAML) or `KEY=value` (Dockerfile ENV) in a file. */
function setting(text, key) {
  const m = new RegExp(`^\\s*${key}[:=]\\s*"?([^"\\s\\\\]+)`, 'm').exec(text);
  return m?.[1];
}

test('the image, compose and Kubernetes serve every interface of their container', () => {
  assert.equal(setting(read('infra/docker/Dockerfile'), 'HOST'), '0.0.0.0');
  assert.equal(setting(read('docker-compose.yml'), 'HOST'), '0.0.0.0');
  assert.equal(setting(read('infra/k8s/configmap.yaml'), 'HOST'), '0.0.0.0');
});

test('compose trusts exactly the network it shares with its proxy, and the proxy overwrites the header', () => {
  const compose = read('docker-compose.yml');
  const trusted = setting(compose, 'TRUST_PROXY');
  const subnet = /^\s*- subnet:\s*(\S+)/m.exec(compose)?.[1];
  assert.ok(trusted, 'docker-compose.yml sets TRUST_PROXY');
  assert.equal(trusted, subnet, 'TRUST_PROXY is the edge network the proxy and the api share');
  const range = /:-([^}]+)\}/.exec(trusted)[1];
  assert.equal(loadConfig({ JWT_SECRET: SECRET, TRUST_PROXY: range }).trustProxy, range);
  const nginx = read('infra/proxy/nginx.conf');
  assert.match(nginx, /proxy_set_header X-Forwarded-For \$remote_addr;/);
  assert.doesNotMatch(nginx, /\$proxy_add_x_forwarded_for/);
});

test('Kubernetes names the ingress range, never "true" or a hop count', () => {
  const trusted = setting(read('infra/k8s/configmap.yaml'), 'TRUST_PROXY');
  assert.ok(trusted, 'infra/k8s/configmap.yaml sets TRUST_PROXY');
  assert.match(trusted, /^[\d.]+\/\d+$/);
  assert.equal(loadConfig({ JWT_SECRET: SECRET, TRUST_PROXY: trusted }).trustProxy, trusted);
});
