# Copyright (c) seavis_mm contributors. All rights reserved.
"""The page (one file, no build step, no external assets)."""

INDEX_HTML = r'''<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>seavis_mm: sounding-object segmentation</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>
 body { font-family: system-ui, sans-serif; max-width: 960px;
        margin: 1.5em auto; padding: 0 1em; color: #222; }
 h1 { font-size: 1.4em; } h2 { font-size: 1.1em; margin-top: 1.5em; }
 fieldset { border: 1px solid #ccc; border-radius: 6px;
            margin: 0.8em 0; }
 video, img { max-width: 100%; display: block; margin: 0.5em 0;
              background: #eee; }
 #status { min-height: 1.4em; font-weight: 600; }
 #status.error { color: #b00020; }
 table { border-collapse: collapse; }
 td, th { border: 1px solid #ccc; padding: 2px 8px; }
</style>
</head>
<body>
<h1>seavis_mm: segment and track what is making sound</h1>
<p>Give a video with its sound: the model segments, classifies and tracks
the objects that sound, frame by frame, as it would on a live stream.</p>

<fieldset>
 <legend>Upload a video with sound</legend>
 <input type="file" id="file" accept="video/*,.mkv,.ts">
 <button id="run">Segment</button>
</fieldset>

<fieldset>
 <legend>Or record your webcam and microphone</legend>
 <button id="record">Record</button>
 <button id="stop" disabled>Stop and segment</button>
 <video id="preview" muted playsinline hidden></video>
</fieldset>

<div id="status" role="status"></div>

<section id="result" hidden>
 <h2>Overlay (with the original sound)</h2>
 <video id="overlay" controls playsinline preload="auto"></video>
 <h2>Sound timeline</h2>
 <img id="timeline" alt="which track sounds when, over the spectrogram">
 <h2>Tracks</h2>
 <table id="tracks">
  <thead><tr><th>id</th><th>category</th><th>frames</th>
   <th>from (s)</th><th>to (s)</th></tr></thead>
  <tbody></tbody>
 </table>
 <p><a id="results" download="results.json">results.json</a> (AVISM format)
  &middot; <a id="frames" download="frames.jsonl">frames.jsonl</a>
  (one line per frame)</p>
 <ul id="warnings"></ul>
</section>

<script>
const $ = (id) => document.getElementById(id);
function status(text, error) {
  $('status').textContent = text;
  $('status').className = error ? 'error' : '';
}
async function segment(blob, name) {
  status('Segmenting ' + name + ' ...');
  $('result').hidden = true;
  const form = new FormData();
  form.append('video', blob, name);
  let reply;
  try {
    reply = await fetch('/api/segment', {method: 'POST', body: form});
  } catch (e) {
    status('The server did not answer: ' + e, true);
    return;
  }
  const body = await reply.json();
  if (!reply.ok) {
    status('Error: ' + (body.detail || reply.statusText), true);
    return;
  }
  $('overlay').src = body.video;
  $('timeline').src = body.timeline;
  $('results').href = body.results;
  $('frames').href = body.frames;
  const rows = $('tracks').querySelector('tbody');
  rows.innerHTML = '';
  for (const t of body.tracks) {
    const tr = document.createElement('tr');
    for (const v of [t.id, t.category, t.frames, t.seconds[0],
                     t.seconds[1]]) {
      const td = document.createElement('td');
      td.textContent = v;
      tr.appendChild(td);
    }
    rows.appendChild(tr);
  }
  const warn = $('warnings'); warn.innerHTML = '';
  for (const w of body.warnings) {
    const li = document.createElement('li');
    li.textContent = w;
    warn.appendChild(li);
  }
  $('result').hidden = false;
  status('Done: ' + body.num_frames + ' frames at ' + body.fps + ' fps, ' +
         body.tracks.length + ' tracks.');
}
$('run').onclick = () => {
  const f = $('file').files[0];
  if (!f) { status('Choose a video file first.', true); return; }
  segment(f, f.name);
};
let recorder = null, chunks = [];
$('record').onclick = async () => {
  let stream;
  try {
    stream = await navigator.mediaDevices.getUserMedia(
      {video: true, audio: true});
  } catch (e) {
    status('No camera/microphone: ' + e, true);
    return;
  }
  $('preview').srcObject = stream;
  $('preview').hidden = false;
  $('preview').play();
  chunks = [];
  recorder = new MediaRecorder(stream);
  recorder.ondataavailable = (e) => { if (e.data.size) chunks.push(e.data); };
  recorder.onstop = () => {
    stream.getTracks().forEach((t) => t.stop());
    $('preview').hidden = true;
    const type = recorder.mimeType || 'video/webm';
    segment(new Blob(chunks, {type: type}), 'recording.webm');
  };
  recorder.start(250);
  $('record').disabled = true; $('stop').disabled = false;
  status('Recording ... press "Stop and segment".');
};
$('stop').onclick = () => {
  $('stop').disabled = true; $('record').disabled = false;
  if (recorder) recorder.stop();
};
</script>
</body>
</html>
'''
