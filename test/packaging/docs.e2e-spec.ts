import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, normalize, relative } from 'node:path';

const ROOT = join(import.meta.dirname, '..', '..');
const READMES = ['README.md', 'README.ko.md'];
const DOCS = readdirSync(join(ROOT, 'docs'))
  .filter((name) => name.endsWith('.md'))
  .map((name) => `docs/${name}`);
const PAGES = [...READMES, ...DOCS];
const IMAGES = readdirSync(join(ROOT, 'docs', 'images')).map((name) => `docs/images/${name}`);
const MAX_IMAGE_BYTES = 300 * 1024;

const read = (page: string) => readFileSync(join(ROOT, page), 'utf8');

/** The markdown without its fenced blocks (a link or heading inside code is not one). */
function prose(markdown: string): string {
  return markdown.replace(/```[\s\S]*?```/g, '');
}

/** Heading anchors as GitHub makes them: lower case, punctuation dropped, spaces to hyphens, repeats numbered. */
function anchors(markdown: string): Set<string> {
  const seen = new Map<string, number>();
  const result = new Set<string>();
  for (const [, text] of prose(markdown).matchAll(/^#{1,6} (.+)$/gm)) {
    const base = text
      .replace(/`/g, '')
      .trim()
      .toLowerCase()
      .replace(/[^\p{L}\p{M}\p{N} _-]/gu, '')
      .replace(/ /g, '-');
    const count = seen.get(base) ?? 0;
    seen.set(base, count + 1);
    result.add(count === 0 ? base : `${base}-${count}`);
  }
  return result;
}

/** Link and image targets of a page that point into the repository (not http, not mailto). */
function localLinks(page: string): string[] {
  return [...prose(read(page)).matchAll(/\]\(([^)\s]+)\)/g)]
    .map(([, target]) => target)
    .filter((target) => !/^[a-z]+:/i.test(target));
}

/** The repository path a link of `page` points to (relative to the root), and its anchor. */
function resolveLink(page: string, target: string): { path: string; anchor?: string } {
  const [file, anchor] = target.split('#');
  return { path: file === '' ? page : normalize(relative(ROOT, join(ROOT, dirname(page), file))), anchor };
}

/** `## …` and `### …` levels in order: the sections' outline, whatever the language. */
function outline(markdown: string): string[] {
  return [...prose(markdown).matchAll(/^(#{2,3}) /gm)].map(([, level]) => level);
}

/** Rows of the "where things live" map: a backticked folder, then what is there. */
function folderMap(markdown: string): { folder: string; description: string }[] {
  return [...markdown.matchAll(/^\| `([\w./-]+\/)` \| (.+) \|$/gm)].map(([, folder, description]) => ({
    folder,
    description,
  }));
}

function filesUnder(folder: string): string[] {
  return (readdirSync(join(ROOT, folder), { recursive: true }) as string[]).map((path) => path.split('/').at(-1)!);
}

/** Issue 12, point 8: the README and docs/ a newcomer walks, checked like code. */
describe('the docs a newcomer walks', () => {
  it.each(READMES)('%s opens with the two commands, exactly', (readme) => {
    const [, title, block] = /^(# .+)\n\n```sh\n([\s\S]*?)```/.exec(read(readme)) ?? [];
    expect(title, `${readme} must open with its title, then the two commands`).toMatch(/^# Tollgate/);
    expect(
      block
        .split('\n')
        .filter(Boolean)
        .map((line) => line.replace(/\s+#.*$/, '')),
    ).toEqual(['npm ci && npm run demo', 'npm ci && npm test']);
  });

  it.each(PAGES)('%s: every local link and image resolves, anchors included', (page) => {
    const broken = localLinks(page).filter((target) => {
      const { path, anchor } = resolveLink(page, target);
      if (!existsSync(join(ROOT, path))) return true;
      return anchor !== undefined && !(path.endsWith('.md') && anchors(read(path)).has(anchor));
    });
    expect(broken).toEqual([]);
  });

  it.each(PAGES)('%s: every repository path it names exists', (page) => {
    const paths = [...read(page).matchAll(/`((?:apps|libs|test|tools|bench|docs|docker)\/[^`\s*<>{}|]*)`/g)].map(
      ([, path]) => path,
    );
    expect(paths.filter((path) => !existsSync(join(ROOT, path)))).toEqual([]);
  });

  it.each(READMES)('%s links every page of docs/ and shows every image of docs/images/', (readme) => {
    const linked = new Set(localLinks(readme).map((target) => resolveLink(readme, target).path));
    expect([...DOCS, ...IMAGES].filter((path) => !linked.has(path))).toEqual([]);
  });

  it.each(IMAGES)('%s is a PNG under 300 KB', (image) => {
    const bytes = readFileSync(join(ROOT, image));
    expect(bytes.subarray(0, 8)).toEqual(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]));
    expect(statSync(join(ROOT, image)).size).toBeLessThan(MAX_IMAGE_BYTES);
  });

  it('README.ko.md covers the same sections as README.md, links the same pages and links the original article', () => {
    const [english, korean] = READMES.map(read);
    expect(outline(korean)).toEqual(outline(english));
    const pages = (readme: string) =>
      [...new Set(localLinks(readme).map((target) => resolveLink(readme, target).path))]
        .filter((path) => !READMES.includes(path))
        .sort();
    expect(pages('README.ko.md')).toEqual(pages('README.md'));
    expect(korean).toContain('](https://blog.logto.io/ko/pat-and-api-keys)');
  });

  it('the map of where things live names folders that exist, and files that are in them', () => {
    const map = folderMap(read('README.md'));
    expect(map.length).toBeGreaterThan(30);
    const missing = map.flatMap(({ folder, description }) => {
      if (!existsSync(join(ROOT, folder))) return [folder];
      const files = filesUnder(folder);
      return [...description.matchAll(/`([\w.-]+\.ts)`/g)]
        .map(([, file]) => file)
        .filter((file) => !files.includes(file))
        .map((file) => `${folder}…/${file}`);
    });
    expect(missing).toEqual([]);
    expect(folderMap(read('README.ko.md')).map(({ folder }) => folder)).toEqual(map.map(({ folder }) => folder));
  });
});
