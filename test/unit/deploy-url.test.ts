import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parsePipeline } from '../../src/config/load-pipelines.ts';
import { isHttpUrl } from '../../src/core/http-url.ts';
import { schedulerSettings } from '../../src/schedulers/settings.ts';

const withUrl = (url: string) => `
service: hello
repository: acme/hello
deploy:
  - branch: main
    environment: production
    scheduler: docker
    url: ${url}
    docker:
      port: 18780
`;

describe('a deploy entry\'s url (the GitHub deployment\'s environment_url)', () => {
  it('is kept on the target when it is an http(s) URL', () => {
    const r = parsePipeline('pipelines/hello.yml', withUrl('https://hello.example.com/app'), schedulerSettings);
    assert.ok('pipeline' in r, JSON.stringify(r));
    assert.equal(r.pipeline.deploy[0]?.url, 'https://hello.example.com/app');
  });

  it('is left out of the target when the entry has none', () => {
    const r = parsePipeline('pipelines/hello.yml', withUrl('x').replace('    url: x\n', ''), schedulerSettings);
    assert.ok('pipeline' in r, JSON.stringify(r));
    assert.equal('url' in r.pipeline.deploy[0]!, false);
  });

  for (const bad of ['hello.example.com', 'ftp://hello.example.com', 'javascript:alert(1)', 'https://user:secret@hello.example.com', '"https://a b.example.com"']) {
    it(`refuses ${bad}, naming file and key`, () => {
      const r = parsePipeline('pipelines/hello.yml', withUrl(bad), schedulerSettings);
      assert.ok('problems' in r, `accepted ${bad}`);
      assert.match(r.problems.join('\n'), /^pipelines\/hello\.yml: deploy\.0\.url: .*http:\/\/ or https:\/\//m);
    });
  }

  it('refuses a number, naming file and key', () => {
    const r = parsePipeline('pipelines/hello.yml', withUrl('42'), schedulerSettings);
    assert.ok('problems' in r, 'accepted 42');
    assert.match(r.problems.join('\n'), /^pipelines\/hello\.yml: deploy\.0\.url: /m);
  });

  it('isHttpUrl: absolute http(s) with a host, no credentials, no spaces', () => {
    const table: [unknown, boolean][] = [
      ['http://127.0.0.1:8080/', true], ['https://hello.example.com', true], ['HTTPS://Hello.Example.com/x?y=1', true],
      ['https://', false], ['/relative', false], ['', false], [undefined, false], [42, false], ['https://a.example.com/ x', false],
    ];
    for (const [value, ok] of table) assert.equal(isHttpUrl(value), ok, String(value));
  });
});
