// build-assets.mjs builds public/dist from node_modules and public/static so the
// Go binary can embed every front-end asset under a content-hashed name.
//
//   npm ci && npm run build
//
// Output (everything else in public/dist is removed first, .keep is kept so
// `//go:embed all:dist` compiles before the first build):
//
//   <name>.<sha256[:10]>.<ext>  one content-hashed copy of every asset
//   <hashed name>.br, .gz       its brotli (best level) and gzip variants, for
//                               text assets when smaller: the server serves them
//                               as they are instead of compressing at each start
//   manifest.json               {"<logical name>": "<hashed name>", ...}
//
// Logical assets: echarts.min.js (ECharts with only the parts hwfdash uses,
// bundled with esbuild), frames.js (the first-frame worker, drawing a
// chart's first frame off the page's main thread with echarts.min.js, which
// it loads), axe.min.js, europe.geo.json (the 53 WHO
// European Region Member States), europe.small.json (marker points for states
// too small to click on the map), licenses.txt (the notices of what we ship),
// app.js (the page script: the ES modules under public/static/js/, bundled
// with esbuild from main.js), plus every other file under public/static/ by
// its path relative to that folder.
//
// Only hashed copies are written: an unhashed name would be embedded twice and
// could be served with an immutable cache header it does not deserve.
//
// Any problem (a Member State without a shape, a name clash, a missing file)
// exits non-zero with a message: a half-built dist must never be embedded.

import fs from 'node:fs';
import path from 'node:path';
import crypto from 'node:crypto';
import zlib from 'node:zlib';
import { fileURLToPath } from 'node:url';
import topojson from 'topojson-client';
import * as esbuild from 'esbuild';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const NODE_MODULES = path.join(ROOT, 'node_modules');
const DIST = path.join(ROOT, 'public', 'dist');
const STATIC = path.join(ROOT, 'public', 'static');
// The page script's modules: bundled into app.js, not served one by one.
const SCRIPT_DIR = 'js';
const COUNTRIES_CSV = path.join(ROOT, 'store', 'seeddata', 'countries.csv');
const MEMBER_STATES = 53;

// A state whose shape's bounding box is smaller than this (in square degrees)
// is too small to hit with a pointer at the map's default zoom; it also gets a
// marker point. 1 deg² takes in MCO, SMR, AND, MLT and LUX but not CYP (≈3).
const SMALL_BBOX_DEG2 = 1.0;

// Parts of a shape lying wholly outside this window are dropped (not clipped):
// France's overseas departments and the Caribbean Netherlands would otherwise
// stretch the map's bounding box to South America and the Indian Ocean. The
// window still takes in the Azores (-31.3°) and the Canary Islands (27.6°N),
// and Chukotka once its longitudes are unwrapped (below) to 180…191°.
const WINDOW = { lonMin: -32, lonMax: 192, latMin: 25, latMax: 85 };

// Natural Earth 4.1 (world-atlas 2.0.2) draws de facto lines in two places
// where the United Nations, and so WHO's maps, recognise another boundary.
// Both are fixed by merging the parts into the Member State's shape.
const REASSIGN = [
  {
    // Crimea: UN General Assembly resolution 68/262 (territorial integrity of
    // Ukraine). Natural Earth puts it in Russia's MultiPolygon; every Russian
    // part inside this box (Crimea and the islets of the Kerch Strait on the
    // Crimean side) moves to Ukraine.
    why: 'Crimea → UKR (UNGA res. 68/262)',
    from: { m49: '643' },
    box: { lonMin: 32.0, lonMax: 36.7, latMin: 44.2, latMax: 46.3 },
    to: '804',
  },
  {
    // Northern Cyprus: UN Security Council resolutions 541 and 550; Natural
    // Earth keeps it as a separate feature without an M49 code.
    why: 'N. Cyprus → CYP (UNSC res. 541, 550)',
    from: { name: 'N. Cyprus' },
    to: '196',
  },
];

function fail(msg) {
  console.error(`build-assets: ${msg}`);
  process.exit(1);
}

// parseCSV handles the quoting of RFC 4180, which is all countries.csv needs.
function parseCSV(text) {
  const rows = [];
  let row = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (c === '"') {
        quoted = false;
      } else {
        field += c;
      }
    } else if (c === '"') {
      quoted = true;
    } else if (c === ',') {
      row.push(field);
      field = '';
    } else if (c === '\n' || c === '\r') {
      if (c === '\r' && text[i + 1] === '\n') i++;
      row.push(field);
      rows.push(row);
      row = [];
      field = '';
    } else {
      field += c;
    }
  }
  if (field !== '' || row.length > 0) {
    row.push(field);
    rows.push(row);
  }
  const header = rows.shift();
  return rows
    .filter((r) => r.length > 1 || r[0] !== '')
    .map((r) => Object.fromEntries(header.map((h, i) => [h, r[i]])));
}

function readMemberStates() {
  const rows = parseCSV(fs.readFileSync(COUNTRIES_CSV, 'utf8'));
  if (rows.length !== MEMBER_STATES) {
    fail(`${COUNTRIES_CSV}: ${rows.length} rows, want ${MEMBER_STATES}`);
  }
  for (const r of rows) {
    if (!/^[A-Z]{3}$/.test(r.iso3 ?? '')) fail(`countries.csv: bad iso3 ${JSON.stringify(r.iso3)}`);
    if (!/^\d{3}$/.test(r.m49 ?? '')) fail(`countries.csv: ${r.iso3}: bad m49 ${JSON.stringify(r.m49)}`);
    if (!r.name_en) fail(`countries.csv: ${r.iso3}: empty name_en`);
  }
  return rows;
}

function polygonsOf(geometry) {
  if (!geometry) return [];
  if (geometry.type === 'Polygon') return [geometry.coordinates];
  if (geometry.type === 'MultiPolygon') return geometry.coordinates;
  fail(`unexpected geometry type ${geometry.type}`);
}

function ringBBox(ring) {
  const b = { lonMin: Infinity, lonMax: -Infinity, latMin: Infinity, latMax: -Infinity };
  for (const [lon, lat] of ring) {
    b.lonMin = Math.min(b.lonMin, lon);
    b.lonMax = Math.max(b.lonMax, lon);
    b.latMin = Math.min(b.latMin, lat);
    b.latMax = Math.max(b.latMax, lat);
  }
  return b;
}

const within = (b, box) =>
  b.lonMin >= box.lonMin && b.lonMax <= box.lonMax && b.latMin >= box.latMin && b.latMax <= box.latMax;
const intersects = (b, box) =>
  b.lonMin <= box.lonMax && b.lonMax >= box.lonMin && b.latMin <= box.latMax && b.latMax >= box.latMin;
const fmtBBox = (b) => `[${[b.lonMin, b.latMin, b.lonMax, b.latMax].map((v) => v.toFixed(1)).join(', ')}]`;

// arcPolygons returns a TopoJSON geometry's polygons as arc lists, in the same
// order as topojson.feature returns their coordinates.
function arcPolygons(geom) {
  if (geom.type === 'Polygon') return [geom.arcs];
  if (geom.type === 'MultiPolygon') return geom.arcs;
  return [];
}

// reassign applies REASSIGN to the TopoJSON geometries and returns, per
// target M49 code, the merged GeoJSON geometry: topojson.merge dissolves the
// shared arcs, so no internal border is left where the parts meet.
function reassign(topo, byM49, unnamed) {
  const extra = new Map();
  for (const r of REASSIGN) {
    const src = r.from.m49 ? byM49.get(r.from.m49) : unnamed.get(r.from.name);
    if (!src || !byM49.has(r.to)) fail(`reassign ${r.why}: source or target geometry not found in world-atlas`);
    const arcs = arcPolygons(src);
    let moved = arcs;
    if (r.box) {
      const coords = polygonsOf(topojson.feature(topo, src).geometry);
      const inBox = coords.map((p) => within(ringBBox(p[0]), r.box));
      moved = arcs.filter((_, i) => inBox[i]);
      src.type = 'MultiPolygon';
      src.arcs = arcs.filter((_, i) => !inBox[i]);
    }
    if (moved.length === 0) fail(`reassign ${r.why}: no part found to move`);
    console.log(`  ${r.why}: ${moved.length} part(s) merged`);
    extra.set(r.to, [...(extra.get(r.to) ?? []), ...moved.map((a) => ({ type: 'Polygon', arcs: a }))]);
  }
  const merged = new Map();
  for (const [m49, parts] of extra) merged.set(m49, topojson.merge(topo, [byM49.get(m49), ...parts]));
  return merged;
}

const q3 = (v) => Math.round(v * 1000) / 1000;

// quantiseRing rounds to 3 decimals (≈100 m, finer than the 1:50m source),
// drops the repeated points this makes and reports a ring that collapsed.
function quantiseRing(ring) {
  const out = [];
  for (const [lon, lat] of ring) {
    const p = [q3(lon), q3(lat)];
    const last = out[out.length - 1];
    if (!last || last[0] !== p[0] || last[1] !== p[1]) out.push(p);
  }
  const first = out[0];
  const last = out[out.length - 1];
  if (first && (first[0] !== last[0] || first[1] !== last[1])) out.push([first[0], first[1]]);
  return out.length >= 4 ? out : null;
}

// ringArea is the planar signed area (deg²) and centroid of a closed ring.
function ringAreaCentroid(ring) {
  let a = 0;
  let cx = 0;
  let cy = 0;
  for (let i = 0; i < ring.length - 1; i++) {
    const [x0, y0] = ring[i];
    const [x1, y1] = ring[i + 1];
    const f = x0 * y1 - x1 * y0;
    a += f;
    cx += (x0 + x1) * f;
    cy += (y0 + y1) * f;
  }
  a /= 2;
  return { area: Math.abs(a), lon: cx / (6 * a), lat: cy / (6 * a) };
}

function buildMap() {
  const states = readMemberStates();
  const topo = JSON.parse(fs.readFileSync(path.join(NODE_MODULES, 'world-atlas', 'countries-50m.json'), 'utf8'));
  const byM49 = new Map();
  const unnamed = new Map();
  const wanted = new Set(states.map((s) => s.m49));
  for (const g of topo.objects.countries.geometries) {
    if (g.id === undefined) {
      unnamed.set(g.properties?.name, g);
      continue;
    }
    // world-atlas ids are zero-padded 3-digit strings, like countries.csv m49.
    if (wanted.has(g.id) && byM49.has(g.id)) fail(`world-atlas: two shapes with id ${g.id}`);
    byM49.set(g.id, g);
  }
  const merged = reassign(topo, byM49, unnamed);

  const features = [];
  const small = [];
  const missing = [];
  for (const s of states) {
    const g = byM49.get(s.m49);
    if (!g) {
      missing.push(`${s.iso3} (m49 ${s.m49})`);
      continue;
    }
    let polys = polygonsOf(merged.get(s.m49) ?? topojson.feature(topo, g).geometry);
    if (s.iso3 === 'RUS') {
      // Russia crosses the antimeridian: Chukotka and Wrangel Island come as
      // -180…-169°. Russia has no territory west of 0°, so every negative
      // longitude is shifted by +360 and the map stays one piece (≈19…191°E)
      // instead of spanning the whole world.
      polys = polys.map((p) => p.map((ring) => ring.map(([lon, lat]) => [lon < 0 ? lon + 360 : lon, lat])));
    }
    const kept = [];
    for (const p of polys) {
      const b = ringBBox(p[0]);
      if (!intersects(b, WINDOW)) {
        console.log(`  ${s.iso3}: dropped a part outside the Europe window ${fmtBBox(b)}`);
        continue;
      }
      const outer = quantiseRing(p[0]);
      if (!outer) continue;
      kept.push([outer, ...p.slice(1).map(quantiseRing).filter(Boolean)]);
    }
    if (kept.length === 0) {
      missing.push(`${s.iso3} (m49 ${s.m49}: no part left)`);
      continue;
    }
    features.push({
      type: 'Feature',
      properties: { name: s.iso3, iso3: s.iso3, m49: s.m49, name_en: s.name_en },
      geometry:
        kept.length === 1 ? { type: 'Polygon', coordinates: kept[0] } : { type: 'MultiPolygon', coordinates: kept },
    });

    const bb = kept.map((p) => ringBBox(p[0])).reduce((a, b) => ({
      lonMin: Math.min(a.lonMin, b.lonMin),
      lonMax: Math.max(a.lonMax, b.lonMax),
      latMin: Math.min(a.latMin, b.latMin),
      latMax: Math.max(a.latMax, b.latMax),
    }));
    if ((bb.lonMax - bb.lonMin) * (bb.latMax - bb.latMin) < SMALL_BBOX_DEG2) {
      // The marker sits on the largest part (Malta's main island, not Gozo).
      const c = kept.map((p) => ringAreaCentroid(p[0])).reduce((a, b) => (b.area > a.area ? b : a));
      small.push({ iso3: s.iso3, lon: q3(c.lon), lat: q3(c.lat) });
    }
  }
  if (missing.length > 0) {
    fail(`no map shape for ${missing.length} Member State(s): ${missing.join(', ')}`);
  }
  if (features.length !== MEMBER_STATES) fail(`${features.length} features, want ${MEMBER_STATES}`);
  small.sort((a, b) => a.iso3.localeCompare(b.iso3));
  console.log(`  small states with a marker: ${small.map((s) => s.iso3).join(', ')}`);
  return {
    geo: Buffer.from(JSON.stringify({ type: 'FeatureCollection', features })),
    small: Buffer.from(JSON.stringify(small)),
  };
}

// ECHARTS_PARTS are the chart types and components hwfdash's charts use
// (the options built by charts/charts.go, drawn by public/static/js/charts.js): the
// full echarts.min.js is over 1 MB and most of a page's transfer, so only
// these are bundled. A part left out is not drawn; charts'
// TestEChartsBuildHasEveryPart checks this list against the golden options,
// and ECHARTS_DEV below makes ECharts name a missing part on the console.
const ECHARTS_PARTS = {
  charts: ['LineChart', 'BarChart', 'ScatterChart', 'HeatmapChart', 'MapChart'],
  components: [
    'TitleComponent', 'TooltipComponent', 'LegendComponent', 'GridComponent', 'VisualMapComponent',
    'GeoComponent', 'AriaComponent', 'MarkLineComponent', 'MarkPointComponent',
  ],
  // The pages draw on a canvas; the first-frame worker, which loads this
  // same script (buildFrameWorker), draws with ECharts' SVG renderer.
  renderers: ['CanvasRenderer', 'SVGRenderer'],
};

// ECHARTS_API are the only names the global `echarts` keeps: those
// public/static/js (the first-frame worker's setPlatformAPI included) and
// the browser tests call. Exporting all of echarts/core kept code no page
// runs, which a phone still parses.
const ECHARTS_API = ['init', 'registerMap', 'getInstanceByDom', 'setPlatformAPI'];

// echartsImports is the source that registers ECHARTS_PARTS with ECharts'
// core.
function echartsImports() {
  const { charts, components, renderers } = ECHARTS_PARTS;
  return `import { use } from 'echarts/core';
import { ${charts.join(', ')} } from 'echarts/charts';
import { ${components.join(', ')} } from 'echarts/components';
import { ${renderers.join(', ')} } from 'echarts/renderers';
use([${[...charts, ...components, ...renderers].join(', ')}]);
`;
}

// bundleECharts bundles entry (source importing ECharts) into one minified
// script; extra adds esbuild options.
function bundleECharts(entry, sourcefile, extra) {
  const res = esbuild.buildSync({
    stdin: { contents: entry, resolveDir: ROOT, sourcefile },
    bundle: true,
    minify: true,
    format: 'iife',
    // ECHARTS_DEV=1 keeps ECharts' development checks, which report on the
    // console a chart type or component used but not bundled: build so and
    // run the browser tests after changing ECHARTS_PARTS or the charts.
    define: { 'process.env.NODE_ENV': process.env.ECHARTS_DEV ? '"development"' : '"production"' },
    write: false,
    logLevel: 'warning',
    ...extra,
  });
  if (res.errors.length > 0) fail(`esbuild: ${res.errors.map((e) => e.text).join('; ')}`);
  return Buffer.from(res.outputFiles[0].contents);
}

// buildECharts bundles ECharts' core with ECHARTS_PARTS into one minified
// script that defines the global `echarts` with ECHARTS_API.
function buildECharts() {
  const entry = `export { ${ECHARTS_API.join(', ')} } from 'echarts/core';
${echartsImports()}`;
  return bundleECharts(entry, 'echarts-hwfdash.js', { globalName: 'echarts', target: 'es2015' });
}

// bundleScript bundles one of public/static/js's entry modules (and what
// it imports) into one minified classic script; define replaces globals
// at build time.
function bundleScript(entry, define = {}) {
  const res = esbuild.buildSync({
    entryPoints: [path.join(STATIC, SCRIPT_DIR, entry)],
    bundle: true,
    minify: true,
    format: 'iife',
    target: 'es2017',
    define,
    write: false,
    logLevel: 'warning',
  });
  if (res.errors.length > 0) fail(`esbuild: ${res.errors.map((e) => e.text).join('; ')}`);
  return Buffer.from(res.outputFiles[0].contents);
}

// buildFrameWorker bundles the first-frame worker (public/static/js/
// frames.worker.js). It draws with the page's own ECharts: the worker loads
// echarts.min.js (echartsName, its hashed name, beside the worker's own
// under /assets/) with importScripts, so a first visit downloads ECharts
// once for the page and the worker (the browser's cache serves the second),
// where the worker used to bundle a copy of its own: 179 KB more, brotli.
function buildFrameWorker(echartsName) {
  return bundleScript('frames.worker.js', { ECHARTS_ASSET: JSON.stringify(path.posix.basename(echartsName)) });
}

// buildApp bundles the page script's ES modules (public/static/js, entry
// main.js) into one script, as the pages load it with a plain <script defer>.
// ECharts stays a separate, long-cached asset: the modules use its global.
function buildApp() {
  return bundleScript('main.js');
}

// LANGUAGES are WHO Europe's official languages, the interface's languages.
const LANGUAGES = ['en', 'fr', 'de', 'ru'];

// countryNames takes each Member State's name in each interface language
// from the Unicode CLDR (cldr-localenames-full), keyed by ISO3.
function countryNames() {
  const states = readMemberStates();
  const out = {};
  for (const lang of LANGUAGES) {
    const file = path.join(NODE_MODULES, 'cldr-localenames-full', 'main', lang, 'territories.json');
    const terr = JSON.parse(fs.readFileSync(file, 'utf8')).main[lang].localeDisplayNames.territories;
    out[lang] = {};
    for (const s of states) {
      const name = terr[s.iso2];
      if (!name) fail(`CLDR ${lang}: no name for ${s.iso2} (${s.iso3})`);
      out[lang][s.iso3] = name;
    }
  }
  return Buffer.from(JSON.stringify(out));
}

// licenses gathers the notices of the third-party code we ship to browsers.
function licenses() {
  const parts = [
    ['echarts (Apache-2.0)', ['echarts/LICENSE', 'echarts/NOTICE', 'echarts/licenses/LICENSE-d3']],
    ['zrender, bundled in echarts.min.js (BSD-3-Clause)', ['zrender/LICENSE']],
    ['tslib, helpers bundled in echarts.min.js (0BSD)', ['tslib/LICENSE.txt']],
    ['axe-core (MPL-2.0)', ['axe-core/LICENSE', 'axe-core/LICENSE-3RD-PARTY.txt']],
    ['world-atlas (ISC); map data made with Natural Earth (public domain)', ['world-atlas/LICENSE']],
    ['cldr-localenames-full: country names from the Unicode CLDR (Unicode License v3)', ['cldr-localenames-full/LICENSE']],
  ];
  let out = 'Third-party software and data served by hwfdash\n';
  for (const [title, files] of parts) {
    out += `\n${'='.repeat(78)}\n${title}\n${'='.repeat(78)}\n`;
    for (const f of files) out += `\n--- ${f}\n\n${fs.readFileSync(path.join(NODE_MODULES, f), 'utf8').trimEnd()}\n`;
  }
  return Buffer.from(out);
}

// staticFiles lists public/static recursively by slash-separated relative
// path; dotfiles (.keep, editor droppings) are not assets, nor are the page
// script's modules (buildApp bundles them).
function staticFiles(dir = STATIC, rel = '') {
  if (!fs.existsSync(dir)) return [];
  const out = [];
  for (const e of fs.readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
    if (e.name.startsWith('.')) continue;
    const r = rel ? `${rel}/${e.name}` : e.name;
    if (r === SCRIPT_DIR) continue;
    if (e.isDirectory()) out.push(...staticFiles(path.join(dir, e.name), r));
    else if (e.isFile()) out.push([r, fs.readFileSync(path.join(dir, e.name))]);
  }
  return out;
}

// hashedName puts the first 10 hex digits of the SHA-256 before the last
// extension: europe.geo.json → europe.geo.0123456789.json.
function hashedName(logical, bytes) {
  const hash = crypto.createHash('sha256').update(bytes).digest('hex').slice(0, 10);
  const dir = path.posix.dirname(logical);
  const base = path.posix.basename(logical);
  const dot = base.lastIndexOf('.');
  const name = dot > 0 ? `${base.slice(0, dot)}.${hash}${base.slice(dot)}` : `${base}.${hash}`;
  return dir === '.' ? name : `${dir}/${name}`;
}

// COMPRESSIBLE are the text assets' extensions, as public.go's compressible.
const COMPRESSIBLE = new Set(['.css', '.html', '.js', '.json', '.map', '.mjs', '.svg', '.txt']);

function main() {
  console.log('build-assets: europe map');
  const map = buildMap();
  const echarts = buildECharts();
  const assets = [
    // Keeps the full build's logical name: pages ask for "echarts.min.js".
    ['echarts.min.js', echarts],
    ['app.js', buildApp()],
    ['frames.js', buildFrameWorker(hashedName('echarts.min.js', echarts))],
    ['axe.min.js', fs.readFileSync(path.join(NODE_MODULES, 'axe-core', 'axe.min.js'))],
    ['europe.geo.json', map.geo],
    ['europe.small.json', map.small],
    ['licenses.txt', licenses()],
    ['country-names.json', countryNames()],
  ];
  const builtNames = new Set(assets.map(([name]) => name));
  for (const [name, bytes] of staticFiles()) {
    if (builtNames.has(name) || name === 'manifest.json') fail(`public/static/${name} clashes with a built asset`);
    assets.push([name, bytes]);
  }

  // Start from an empty dist so stale hashed copies are not embedded forever.
  fs.mkdirSync(DIST, { recursive: true });
  for (const e of fs.readdirSync(DIST)) {
    if (e !== '.keep') fs.rmSync(path.join(DIST, e), { recursive: true, force: true });
  }
  fs.writeFileSync(path.join(DIST, '.keep'), '');

  const manifest = {};
  for (const [logical, bytes] of assets.sort((a, b) => a[0].localeCompare(b[0]))) {
    const hashed = hashedName(logical, bytes);
    manifest[logical] = hashed;
    fs.mkdirSync(path.dirname(path.join(DIST, hashed)), { recursive: true });
    fs.writeFileSync(path.join(DIST, hashed), bytes);
    let note = '';
    if (COMPRESSIBLE.has(path.extname(logical))) {
      const br = zlib.brotliCompressSync(bytes, {
        params: {
          [zlib.constants.BROTLI_PARAM_QUALITY]: zlib.constants.BROTLI_MAX_QUALITY,
          [zlib.constants.BROTLI_PARAM_SIZE_HINT]: bytes.length,
        },
      });
      const gz = zlib.gzipSync(bytes, { level: 9 });
      if (br.length < bytes.length) fs.writeFileSync(path.join(DIST, `${hashed}.br`), br);
      if (gz.length < bytes.length) fs.writeFileSync(path.join(DIST, `${hashed}.gz`), gz);
      note = ` (br ${br.length} B, gzip ${gz.length} B)`;
    }
    console.log(`  ${hashed.padEnd(40)} ${String(bytes.length).padStart(9)} B${note}`);
  }
  // Written last: make's target is manifest.json, so it must be the newest.
  fs.writeFileSync(path.join(DIST, 'manifest.json'), JSON.stringify(manifest, null, 2) + '\n');
  console.log(`build-assets: ${assets.length} assets → public/dist/manifest.json`);
}

main();
