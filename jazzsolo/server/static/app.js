// The practice room's page: a view.  It gathers the settings, asks the server (which makes the
// same library calls as the command line), and shows what comes back: the chart grid, the
// notation, the audio and the downloads.  Bar times, turns and chords come from the server;
// the only arithmetic here is seconds <-> beats at the tempo the server names.
"use strict";

const $ = (id) => document.getElementById(id);
const state = { take: null, trade: null, raf: 0, octave: 0, held: new Map(), audio: null };

// ------------------------------------------------------------------ talking to the server

async function call(url, body, init = {}) {
  const options = body === undefined ? init : {
    method: "POST", headers: {"Content-Type": "application/json"}, body: JSON.stringify(body), ...init };
  const response = await fetch(url, options);
  const data = await response.json().catch(() => ({ error: `the server answered ${response.status}` }));
  if (!response.ok) throw new Error(data.error || `the server answered ${response.status}`);
  return data;
}

function showError(message) {
  $("error").hidden = !message;
  $("error").textContent = message || "";
}

function status(text) { $("status").textContent = text; }

async function guarded(work) {
  showError("");
  try { return await work(); } catch (e) { showError(e.message); return null; }
}

// ------------------------------------------------------------------ the settings

const NUMBERS = { temperature: "temperature", density: "density", "phrase-length": "phrase_length",
                  qpm: "qpm", swing: "swing" };
const WHOLE = { seed: "seed", choruses: "choruses" };
const TEXTS = { model: "model", player: "player", style: "style", instrument: "instrument",
                register: "register", key: "key", "transpose-for": "transpose_for",
                "solo-instrument": "solo_instrument", "time-signature": "time_signature" };

function settings() {
  const out = {};
  for (const [id, name] of Object.entries(TEXTS)) if ($(id).value.trim()) out[name] = $(id).value.trim();
  for (const [id, name] of Object.entries(NUMBERS)) if ($(id).value !== "") out[name] = Number($(id).value);
  for (const [id, name] of Object.entries(WHOLE)) if ($(id).value !== "") out[name] = parseInt($(id).value, 10);
  out.count_off = $("count-in").checked;
  for (const part of ["drums", "bass", "comp"]) out[part] = $(part).checked;
  out.solo_level = parseInt($("solo-level").value, 10);
  const source = $("source").value;
  if (source === "symbols") out.backing_chords = $("chords").value;
  if (source === "progression") out.progression = $("progression").value;
  if (source === "ireal") out.ireal_link = $("ireal-link").value;
  if (source === "upload") {
    if (!state.upload) throw new Error("choose a chart file to upload first");
    out.upload = state.upload;
    if ($("tune").value) out.tune = $("tune").value;
  }
  if (source === "upload" || source === "ireal") delete out.time_signature;
  return out;
}

function fill(select, values, blank) {
  select.replaceChildren(...(blank ? [new Option(blank, "")] : []), ...values.map((v) => new Option(v, v)));
}

async function loadOptions() {
  const options = await call("/api/options");
  state.options = options;
  fill($("model"), Object.keys(options.models));
  $("model").value = options.default_model;
  fill($("progression"), Object.keys(options.progressions));
  fill($("transpose-for"), options.transpose_for);
  fill($("trade-bars"), options.trade_bars.map(String));
  $("trade-bars").value = "4";
  $("relation-legend").replaceChildren(...options.relations.map((r) => {
    const item = document.createElement("span");
    item.textContent = `● ${r.name}`;
    item.style.color = r.colour;
    item.dataset.relation = r.class;
    return item;
  }));
  showVoices();
}

function showRelations() {
  // the notes keep the colours the server engraved them with, or are drawn black
  const coloured = $("colour-notes").checked;
  document.body.classList.toggle("plain-notes", !coloured);
  $("relation-legend").hidden = !coloured;
}

function showVoices() {
  const model = state.options.models[$("model").value];
  for (const kind of ["player", "style", "instrument"]) fill($(kind), model[kind], "any");
  $("trade-start").disabled = !model.trades;
  $("trade-start").title = model.trades ? "" : "this model cannot trade; choose a note model (wjazzd)";
}

// ------------------------------------------------------------------ the chart grid

function renderGrid(bars, turns) {
  const owner = new Map();
  for (const turn of turns || []) for (let b = turn.start_bar; b < turn.start_bar + turn.n_bars; b++) owner.set(b, turn.who);
  $("grid").replaceChildren(...bars.map((bar, i) => {
    const cell = document.createElement("div");
    cell.className = "bar" + (owner.has(i) ? ` turn-${owner.get(i)}` : "");
    cell.dataset.bar = bar.number;
    cell.dataset.timeSignature = bar.time_signature;
    const number = document.createElement("span");
    number.className = "number";
    number.textContent = bar.number + (i === 0 || bar.time_signature !== bars[i - 1].time_signature ? ` · ${bar.time_signature}` : "");
    cell.append(number);
    for (const chord of bar.chords) {
      const span = document.createElement("span");
      span.className = "chord" + (chord.error ? " bad" : "");
      span.textContent = chord.symbol;
      if (chord.error) {
        const reason = document.createElement("span");
        reason.className = "reason";
        reason.textContent = chord.error;
        span.append(reason);
      }
      cell.append(span);
    }
    return cell;
  }));
}

async function readChart() {
  const grid = await guarded(() => call("/api/chart", settings()));
  if (!grid) return;
  renderGrid(grid.bars);
  if (grid.error) showError(grid.error);
  status(`${grid.bars.length} bars${grid.title ? " of " + grid.title : ""}`);
}

async function upload() {
  const file = $("upload-file").files[0];
  if (!file) return;
  const answer = await guarded(() => call(`/api/upload?name=${encodeURIComponent(file.name)}`, undefined,
                                          { method: "POST", body: file }));
  state.upload = answer ? answer.upload : null;
  $("tune-label").hidden = !(answer && answer.tunes.length);
  fill($("tune"), answer ? answer.tunes : []);
  if (answer) await readChart();
}

// ------------------------------------------------------------------ the player: band and solo
// The server renders two stems, the band and the solo (at the default level); the page decodes
// both and starts them together on the AudioContext's clock, so they cannot drift apart, the
// solo through a gain node the level slider moves while it plays (nothing is rendered again).

const player = { buffers: null, sources: [], startedAt: 0, offset: 0, playing: false, gains: null };

function audioContext() {
  if (!state.audio) state.audio = new AudioContext();
  return state.audio;
}

function mixGains() {
  if (!player.gains) {
    const ctx = audioContext();
    player.gains = { band: ctx.createGain(), solo: ctx.createGain() };
    player.gains.band.connect(ctx.destination);
    player.gains.solo.connect(ctx.destination);
  }
  return player.gains;
}

async function decodeTake(take) {
  const ctx = audioContext();
  const load = async (url) => ctx.decodeAudioData(await (await fetch(url)).arrayBuffer());
  const [band, solo] = await Promise.all([load(take.audio.band), load(take.audio.solo)]);
  return { band, solo };
}

function soloGainFor(level) {
  // General MIDI's channel-volume curve (40·log10 of the level, as CC 7 sounds in the files),
  // taken relative to the level the solo stem was rendered at
  return Math.pow(level / state.options.solo_level, 2);
}

function setSoloLevel() {
  const level = parseInt($("solo-level").value, 10);
  const gain = soloGainFor(level);
  const param = mixGains().solo.gain;
  const now = audioContext().currentTime;
  param.cancelScheduledValues(now);
  if (player.playing) param.setTargetAtTime(gain, now, 0.015);   // no click
  else param.value = gain;
  state.soloGain = gain;
  $("solo-gain").textContent = `×${gain.toFixed(2)}`;
  $("solo-gain").dataset.gain = String(gain);
  showDownloads();
}

function playerTime() {
  if (!player.playing) return player.offset;
  return Math.max(0, audioContext().currentTime - player.startedAt);
}

function playerDuration() { return player.buffers ? player.buffers.band.duration : 0; }

function stopSources() {
  for (const source of player.sources) { source.onended = null; source.stop(); }
  player.sources = [];
}

function startPlayer(offset) {
  stopSources();
  const ctx = audioContext();
  const at = ctx.currentTime + 0.02;
  const gains = mixGains();
  player.sources = [["band", gains.band], ["solo", gains.solo]].map(([part, gain]) => {
    const source = ctx.createBufferSource();
    source.buffer = player.buffers[part];
    source.connect(gain);
    source.start(at, Math.min(offset, source.buffer.duration));
    return source;
  });
  player.startedAt = at - offset;
  player.playing = true;
  $("play").textContent = "Stop";
  cancelAnimationFrame(state.playRaf);
  state.playRaf = requestAnimationFrame(follow);
}

function pausePlayer() {
  player.offset = playerTime();
  stopSources();
  player.playing = false;
  $("play").textContent = "Play";
}

function seek(seconds) {
  const t = Math.max(0, Math.min(seconds, playerDuration()));
  if (player.playing) startPlayer(t); else player.offset = t;
}

async function togglePlay() {
  if (player.playing) { pausePlayer(); return; }
  await audioContext().resume();
  if (player.offset >= playerDuration()) player.offset = 0;
  startPlayer(player.offset);
  ensureNext();
}

// ------------------------------------------------------------------ improvise, hear, read

function showDownloads() {
  const take = state.take;
  if (!take) return;
  const level = parseInt($("solo-level").value, 10);
  const query = level === take.solo_level ? "" : `?solo_level=${level}`;
  $("downloads").replaceChildren(...Object.entries(take.downloads).map(([kind, url]) => {
    const link = document.createElement("a");
    link.href = url + query;
    link.id = `download-${kind}`;
    link.download = take.download_names[kind];
    link.textContent = `⬇ ${take.download_names[kind]}`;
    return link;
  }));
}

function showTake(take, buffers) {
  state.take = take;
  player.buffers = buffers;
  renderGrid(take.grid);
  $("notation").innerHTML = take.svg.join("");
  const shown = $("take-tempo");
  shown.dataset.qpm = String(take.qpm);
  shown.dataset.transpose = String(take.transpose);
  shown.dataset.repeat = String(take.repeat);
  shown.textContent = `${Math.round(take.qpm * 10) / 10} bpm` +
    (take.transpose ? ` · chords up ${take.transpose} semitone${take.transpose > 1 ? "s" : ""}` : "") +
    (take.repeat ? ` · repeat ${take.repeat}` : "");
  $("duration").textContent = `${playerDuration().toFixed(1)} s`;
  $("duration").dataset.seconds = String(playerDuration());
  showDownloads();
}

async function improvise(keepSeed) {
  const button = $("improvise");
  button.disabled = true;
  status("Improvising…");
  const started = performance.now();
  let body;
  const made = await guarded(async () => {
    body = settings();
    if (keepSeed && state.take) body.seed = state.take.seed;
    const take = await call("/api/improvise", body);
    return { take, buffers: await decodeTake(take) };
  });
  button.disabled = false;
  if (!made) { status("Nothing played."); return; }
  if (player.playing) pausePlayer();
  player.offset = 0;
  state.base = body;
  state.next = null;
  showTake(made.take, made.buffers);
  setSoloLevel();
  $("loop-to").value = Math.min(made.take.grid.length, 4);
  $("play").disabled = false;
  $("remix").disabled = false;
  document.body.dataset.take = made.take.take;
  const inPage = Math.round(performance.now() - started);
  status(`${made.take.n_notes} notes by ${made.take.model} over ${made.take.grid.length} bars, ` +
         `seed ${made.take.seed} (server ${made.take.latency_ms} ms, in the page ${inPage} ms)`);
}

function barAt(starts, t) {
  let bar = -1;
  for (let i = 0; i < starts.length - 1; i++) if (t >= starts[i]) bar = i;
  return t >= starts[starts.length - 1] ? -1 : bar;
}

function highlight(bar) {
  document.querySelectorAll("#grid .bar").forEach((cell, i) => cell.classList.toggle("current", i === bar));
  document.querySelectorAll("#notation g.measure").forEach((m, i) => m.classList.toggle("playing", i === bar));
}

function loopRange() {
  const bars = state.take.bar_starts_s.length - 1;
  const from = Math.min(bars, Math.max(1, parseInt($("loop-from").value, 10) || 1));
  const to = Math.min(bars, Math.max(from, parseInt($("loop-to").value, 10) || from));
  return [from, to];
}

function follow() {
  if (!player.playing) return;
  const starts = state.take.bar_starts_s;
  if ($("loop").checked) {
    const [from, to] = loopRange();
    if (playerTime() >= starts[to]) loopBack(from);
  } else if (playerTime() >= playerDuration()) {
    pausePlayer();
    player.offset = 0;
  }
  const now = playerTime();
  highlight(barAt(state.take.bar_starts_s, now));
  $("position").textContent = `${now.toFixed(1)} s`;
  if (player.playing) state.playRaf = requestAnimationFrame(follow);
}

// ------------------------------------------------------------------ tempo and key per repeat
// As iReal Pro ramps a looped range: each repeat is a new take the server makes with the same
// library call (`practice.Repeat`: the tempo step and the transposition step times the repeat),
// asked for while the current one plays, and swapped in at the loop's end when it is ready.

function ramps() {
  return { tempo_step: Number($("tempo-step").value) || 0,
           transpose_step: parseInt($("transpose-step").value, 10) || 0 };
}

function ramping() {
  const r = ramps();
  return state.take && state.take.svg.length && $("loop").checked && (r.tempo_step || r.transpose_step);
}

function ensureNext() {
  if (!ramping()) { state.next = null; return null; }
  const repeat = state.take.repeat + 1;
  const key = JSON.stringify([state.take.take, repeat, ramps()]);
  if (state.next && state.next.key === key) return state.next;
  const next = { key, ready: false, failed: false };
  const body = { ...state.base, ...ramps(), seed: state.take.seed, repeat,
                 solo_level: parseInt($("solo-level").value, 10) };
  next.promise = (async () => {
    const take = await call("/api/improvise", body);
    next.value = { take, buffers: await decodeTake(take) };
    next.ready = true;
    return next.value;
  })();
  next.promise.catch((e) => { next.failed = true; showError(e.message); });
  state.next = next;
  return next;
}

function swapRepeat(made) {
  const playing = player.playing;
  if (playing) stopSources();
  showTake(made.take, made.buffers);
  const [from] = loopRange();
  player.offset = made.take.bar_starts_s[from - 1];
  if (playing) startPlayer(player.offset);
  state.next = null;
  status(`Repeat ${made.take.repeat}: ${$("take-tempo").textContent}`);
  ensureNext();
}

function loopBack(from) {
  const next = ensureNext();
  if (next && next.ready) swapRepeat(next.value);
  else seek(state.take.bar_starts_s[from - 1]);       // not ready (or no ramp): the same again
}

async function nextRepeat() {
  // the loop's end reached now, waiting for the next repeat's take (the tests' fixed step)
  const next = ensureNext();
  if (!next) throw new Error("loop a range with a tempo or key step first");
  swapRepeat(await next.promise);
  return { repeat: state.take.repeat, qpm: state.take.qpm, transpose: state.take.transpose };
}

// ------------------------------------------------------------------ a small synthesizer

function tone(midi, when, duration) {
  const ctx = audioContext();
  const start = Math.max(ctx.currentTime, when);
  const osc = ctx.createOscillator();
  const gain = ctx.createGain();
  osc.type = "triangle";
  osc.frequency.value = 440 * Math.pow(2, (midi - 69) / 12);
  gain.gain.setValueAtTime(0.0001, start);
  gain.gain.exponentialRampToValueAtTime(0.25, start + 0.01);
  gain.gain.exponentialRampToValueAtTime(0.0001, start + Math.max(0.08, duration));
  osc.connect(gain).connect(ctx.destination);
  osc.start(start);
  osc.stop(start + Math.max(0.08, duration) + 0.05);
}

// ------------------------------------------------------------------ trading fours

function tradeBeat() {
  // beats from the chart's first bar line, at the tempo the server played the band at
  const trade = state.trade;
  return (($("band").currentTime - trade.bar_starts_s[0]) * trade.qpm) / 60;
}

function barStartBeat(bar) {
  const trade = state.trade;
  return ((trade.bar_starts_s[bar] - trade.bar_starts_s[0]) * trade.qpm) / 60;
}

function turnAt(beat) {
  const trade = state.trade;
  return trade.turns.find((t) => beat >= barStartBeat(t.start_bar) && beat < barStartBeat(t.start_bar + t.n_bars));
}

function noteOn(midi) {
  if (state.held.has(midi)) return;
  tone(midi, 0, 0.35);
  document.querySelector(`.key[data-midi="${midi}"]`)?.classList.add("down");
  const trade = state.trade;
  if (!trade || $("band").paused) { state.held.set(midi, null); return; }
  const beat = tradeBeat();
  const turn = turnAt(beat);
  state.held.set(midi, turn && turn.who === "you" ? { onset: beat, midi, turn } : null);
}

function noteOff(midi) {
  const held = state.held.get(midi);
  state.held.delete(midi);
  document.querySelector(`.key[data-midi="${midi}"]`)?.classList.remove("down");
  if (!held || !state.trade) return;
  const end = Math.min(tradeBeat(), barStartBeat(held.turn.start_bar + held.turn.n_bars));
  state.trade.heard.push([held.onset, Math.max(1 / 12, end - held.onset), held.midi]);
}

function closeHeldNotes() {
  for (const midi of [...state.held.keys()]) noteOff(midi);
}

async function answerTurn(turn) {
  const trade = state.trade;
  const start = barStartBeat(turn.start_bar);
  const heard = trade.heard.filter(([onset]) => onset < start);
  const sent = performance.now();
  let answer;
  try {
    answer = await call("/api/trade/answer", { take: trade.take, heard, start_bar: turn.start_bar, n_bars: turn.n_bars });
  } catch (e) { showError(e.message); return; }
  const roundTrip = Math.round(performance.now() - sent);
  if (state.trade !== trade) return;
  const ctx = audioContext();
  const now = $("band").currentTime;
  for (const [onset, duration, midi] of answer.notes) {
    const at = trade.bar_starts_s[0] + (onset * 60) / trade.qpm;
    if (at >= now - 0.05) tone(midi, ctx.currentTime + (at - now), (duration * 60) / trade.qpm);
  }
  const item = document.createElement("li");
  turn.answer = answer;
  turn.item = item;
  item.dataset.startBar = answer.start_bar;
  item.dataset.nBars = answer.n_bars;
  item.dataset.notes = JSON.stringify(answer.notes);
  item.dataset.chords = JSON.stringify(answer.chords);
  item.textContent = `bars ${answer.start_bar + 1}–${answer.start_bar + answer.n_bars} over ` +
    `${answer.chords.map((c) => c.join(" ")).join(" | ")}: ${answer.notes.length} notes answering ` +
    `${heard.length} (model ${answer.latency_ms} ms, round trip ${roundTrip} ms)`;
  $("answers").append(item);
  status(`Answered in ${answer.latency_ms} ms (round trip ${roundTrip} ms)`);
}

async function engraveAnswer(turn) {
  // the answer as notation, once it has played: engraved on the server as the solo is
  turn.engraved = true;
  const trade = state.trade;
  let notation;
  try {
    notation = await call("/api/trade/notation", { take: trade.take, start_bar: turn.start_bar });
  } catch (e) { showError(e.message); return; }
  const view = document.createElement("div");
  view.className = "answer-notation";
  view.innerHTML = notation.svg.join("");
  turn.item.append(view);
}

function engravePlayed(beat) {
  for (const turn of state.trade.turns) {
    if (turn.answer && !turn.engraved && beat >= barStartBeat(turn.start_bar + turn.n_bars) - 1e-6) engraveAnswer(turn);
  }
}

function followTrade() {
  const trade = state.trade;
  if (!trade) return;
  const band = $("band");
  const beat = tradeBeat();
  highlight(barAt(trade.bar_starts_s, band.currentTime));
  for (const turn of trade.turns) {
    if (turn.who === "you" && !turn.sent && turn.start_bar + turn.n_bars < trade.grid.length &&
        beat >= barStartBeat(turn.start_bar + turn.n_bars) - 1e-6) {
      turn.sent = true;
      closeHeldNotes();
      const next = trade.turns[trade.turns.indexOf(turn) + 1];
      if (next) answerTurn(next);
    }
  }
  engravePlayed(beat);
  const current = turnAt(beat);
  $("trade-state").textContent = current ? (current.who === "you" ? "your bars" : "the model's bars") : "";
  if (!band.paused && !band.ended) state.raf = requestAnimationFrame(followTrade);
  else stopTrade();
}

async function startTrade() {
  const body = settings();
  body.bars_per_turn = parseInt($("trade-bars").value, 10);
  $("trade-start").disabled = true;
  status("Getting the band ready…");
  const band = await guarded(() => call("/api/trade/start", body));
  if (!band) { $("trade-start").disabled = false; return; }
  state.trade = { ...band, heard: [] };
  renderGrid(band.grid, band.turns);
  $("answers").replaceChildren();
  $("band").src = band.audio.band;
  $("trade-stop").disabled = false;
  audioContext().resume();
  await $("band").play();
  status("Trading: you start.");
  state.raf = requestAnimationFrame(followTrade);
  connectMidi();
}

function stopTrade() {
  $("band").pause();
  if (state.trade) engravePlayed(Infinity);         // stopped: what was answered, engraved
  $("trade-start").disabled = false;
  $("trade-stop").disabled = true;
  $("trade-state").textContent = "";
}

// ------------------------------------------------------------------ input: keys, MIDI, clicks

const KEYS = "awsedftgyhujk";      // C, C#, D ... C: one octave from middle C

function keyboardMidi(event) {
  const i = KEYS.indexOf(event.key.toLowerCase());
  return i < 0 ? null : 60 + 12 * state.octave + i;
}

function typing(event) {
  return ["INPUT", "TEXTAREA", "SELECT"].includes(event.target.tagName) && event.target.type !== "range"
    && event.target.type !== "checkbox";
}

document.addEventListener("keydown", (event) => {
  if (typing(event) || event.repeat || event.ctrlKey || event.metaKey || event.altKey) return;
  if (event.key === "z") { state.octave = Math.max(-2, state.octave - 1); return; }
  if (event.key === "x") { state.octave = Math.min(2, state.octave + 1); return; }
  const midi = keyboardMidi(event);
  if (midi !== null) { event.preventDefault(); noteOn(midi); }
});
document.addEventListener("keyup", (event) => {
  const midi = keyboardMidi(event);
  if (midi !== null) noteOff(midi);
});

function connectMidi() {
  if (!navigator.requestMIDIAccess || state.midi) return;
  navigator.requestMIDIAccess().then((access) => {
    state.midi = access;
    for (const input of access.inputs.values()) {
      input.onmidimessage = (message) => {
        const [kind, note, velocity] = message.data;
        if ((kind & 0xf0) === 0x90 && velocity > 0) noteOn(note);
        else if ((kind & 0xf0) === 0x80 || (kind & 0xf0) === 0x90) noteOff(note);
      };
    }
  }).catch(() => {});                  // no Web MIDI here: the keyboard and the clicks still play
}

function buildKeyboard() {
  const black = new Set([1, 3, 6, 8, 10]);
  const keys = [];
  for (let i = 0; i < 25; i++) {
    const midi = 60 + i;
    const key = document.createElement("div");
    key.className = "key" + (black.has(i % 12) ? " black" : "");
    key.dataset.midi = midi;
    key.textContent = i < KEYS.length ? KEYS[i].toUpperCase() : "";
    key.addEventListener("pointerdown", (e) => { e.preventDefault(); noteOn(midi); });
    key.addEventListener("pointerup", () => noteOff(midi));
    key.addEventListener("pointerleave", () => { if (state.held.has(midi)) noteOff(midi); });
    keys.push(key);
  }
  $("keyboard").replaceChildren(...keys);
}

// ------------------------------------------------------------------ wiring

function showSource() {
  for (const part of document.querySelectorAll(".source")) part.hidden = part.dataset.source !== $("source").value;
}

window.addEventListener("DOMContentLoaded", async () => {
  buildKeyboard();
  $("source").addEventListener("change", showSource);
  $("model").addEventListener("change", showVoices);
  $("read-chart").addEventListener("click", readChart);
  $("upload-file").addEventListener("change", upload);
  $("improvise").addEventListener("click", () => improvise(false));
  $("remix").addEventListener("click", () => improvise(true));
  $("play").addEventListener("click", togglePlay);
  $("colour-notes").addEventListener("change", showRelations);
  showRelations();
  $("solo-level").addEventListener("input", setSoloLevel);
  for (const id of ["loop", "tempo-step", "transpose-step"]) $(id).addEventListener("change", () => ensureNext());
  $("trade-start").addEventListener("click", startTrade);
  $("trade-stop").addEventListener("click", stopTrade);
  await guarded(loadOptions);
  window.practice = {               // for the tests: what the player reports, a fixed step
    duration: playerDuration, currentTime: playerTime, seek, soloGain: () => state.soloGain,
    nextRepeat,
  };
  document.body.dataset.ready = "1";
});
