import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { remoteAddSources } from '../../src/docker/dockerfile-scan.ts';

/** Dockerfiles of fork pull requests, and the `line instruction source` the engine would fetch. */
const cases: [name: string, dockerfile: string, expected: string[]][] = [
  ['an http URL', 'FROM local/busybox\nADD http://example.com/a.tgz /a.tgz\n', ['2 ADD http://example.com/a.tgz']],
  ['an https URL', 'FROM x\nADD https://example.com/a /a\n', ['2 ADD https://example.com/a']],
  ['a git URL', 'FROM x\nADD git://example.com/r.git /src\n', ['2 ADD git://example.com/r.git']],
  ['an scp-like git address', 'FROM x\nADD git@github.com:acme/r.git /src\n', ['2 ADD git@github.com:acme/r.git']],
  ['lower case', 'from x\nadd http://example.com/a /a\n', ['2 ADD http://example.com/a']],
  ['mixed case and an upper-case scheme', 'FROM x\nAdd HTTPS://EXAMPLE.COM/a /a\n', ['2 ADD HTTPS://EXAMPLE.COM/a']],
  ['after flags', 'FROM x\nADD --chown=1000:1000 --chmod=644 http://example.com/a /a\n', ['2 ADD http://example.com/a']],
  ['--link and --checksum', 'FROM x\nADD --link --checksum=sha256:abc https://example.com/a /a\n', ['2 ADD https://example.com/a']],
  ['among local sources', 'FROM x\nADD a.txt http://example.com/b c.txt /dir/\n', ['2 ADD http://example.com/b']],
  ['the JSON form', 'FROM x\nADD ["http://example.com/a b", "/a"]\n', ['2 ADD http://example.com/a b']],
  ['the JSON form after a flag', 'FROM x\nADD --chown=1 ["https://example.com/a", "/a"]\n', ['2 ADD https://example.com/a']],
  ['a continuation after ADD', 'FROM x\nADD \\\n  http://example.com/a \\\n  /a\n', ['2 ADD http://example.com/a']],
  ['a continuation inside the URL', 'FROM x\nADD http\\\n://example.com/a /a\n', ['2 ADD http://example.com/a']],
  ['a comment line inside a continuation', 'FROM x\nADD \\\n# what follows is fetched\n  https://example.com/a /a\n', ['2 ADD https://example.com/a']],
  ['a blank line inside a continuation', 'FROM x\nADD \\\n\n  https://example.com/a /a\n', ['2 ADD https://example.com/a']],
  ['the backtick escape directive', '# escape=`\nFROM x\nADD `\n  http://example.com/a C:\\a\n', ['3 ADD http://example.com/a']],
  ['quotes around the URL', 'FROM x\nADD "http://example.com/a" /a\n', ['2 ADD "http://example.com/a"']],
  ['an escaped character in the scheme', 'FROM x\nADD h\\ttp://example.com/a /a\n', ['2 ADD h\\ttp://example.com/a']],
  ['a variable (an ARG could make it a URL)', 'FROM x\nARG SRC=http://example.com/a\nADD $SRC /a\n', ['3 ADD $SRC']],
  ['a braced variable', 'FROM x\nADD ${SRC} /a\n', ['2 ADD ${SRC}']],
  ['ONBUILD ADD (a later stage FROM this one runs it)', 'FROM x AS base\nONBUILD ADD http://example.com/a /a\nFROM base\n', ['2 ONBUILD ADD http://example.com/a']],
  ['CRLF line ends', 'FROM x\r\nADD http://example.com/a /a\r\n', ['2 ADD http://example.com/a']],
  ['indented', 'FROM x\n   ADD   http://example.com/a   /a\n', ['2 ADD http://example.com/a']],
  ['two of them', 'FROM x\nADD http://a.example/1 /1\nRUN true\nADD https://b.example/2 /2\n', ['2 ADD http://a.example/1', '4 ADD https://b.example/2']],
  ['local ADD and COPY only', 'FROM x\nADD app.tgz /app\nADD --chown=1 src/ /src/\nCOPY . /app\n', []],
  ['a URL after ADD in a RUN command', 'FROM x\nRUN echo ADD http://example.com/a /a\n', []],
  ['a URL in a comment', 'FROM x\n# ADD http://example.com/a /a\nADD a /a\n', []],
  ['a URL as the destination only', 'FROM x\nADD a.txt http://not-a-source/\n', []],
  ['COPY of a URL (the engine refuses it itself, and fetches nothing)', 'FROM x\nCOPY http://example.com/a /a\n', []],
  ['a line continued into the next instruction', 'FROM x\nRUN echo \\\nADD http://example.com/a /a\n', []],
  ['an escape directive after an instruction is a comment', 'FROM x\n# escape=`\nADD a `\nhttp://example.com/b /b\n', []],
];

describe('remoteAddSources', () => {
  for (const [name, dockerfile, expected] of cases) {
    it(`${expected.length ? 'finds' : 'finds nothing in'}: ${name}`, () => {
      assert.deepEqual(remoteAddSources(dockerfile).map((f) => `${f.line} ${f.instruction} ${f.source}`), expected);
    });
  }
});
