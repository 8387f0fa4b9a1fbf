// hnn-tui serve's page draws its terminal on a canvas, so its HTML holds no text. Run before the page's own
// scripts (Playwright's add_init_script), this keeps what the terminal shows: every binary websocket frame
// (textual-serve sends the app's terminal output as is) with its arrival time, the terminal's size, and each
// keydown's time. Read by tests/serve/test_browser.py and benchmarks/serve_bench.py (pyte plays the frames).
(() => {
  const Real = window.WebSocket;
  window.__frames = [];   // [arrival time (ms), the binary frame in base64]
  window.__size = null;   // [columns, rows]: from the address, then from each resize the page sends
  window.__keys = [];     // the time of each keydown
  document.addEventListener("keydown", () => window.__keys.push(performance.now()), true);
  function Recorded(url, protocols) {
    const ws = protocols === undefined ? new Real(url) : new Real(url, protocols);
    const m = /[?&]width=(\d+)&height=(\d+)/.exec(url);
    if (m) window.__size = [+m[1], +m[2]];
    ws.addEventListener("message", (e) => {
      if (typeof e.data === "string") return;  // JSON: pong, downloads
      const bytes = new Uint8Array(e.data);
      let s = "";
      for (let i = 0; i < bytes.length; i += 8192) s += String.fromCharCode.apply(null, bytes.subarray(i, i + 8192));
      window.__frames.push([performance.now(), btoa(s)]);
    });
    const send = ws.send.bind(ws);
    ws.send = (data) => {
      try {
        const msg = JSON.parse(data);
        if (msg[0] === "resize") window.__size = [msg[1].width, msg[1].height];
      } catch (_) {}
      return send(data);
    };
    return ws;
  }
  Recorded.prototype = Real.prototype;
  for (const k of ["CONNECTING", "OPEN", "CLOSING", "CLOSED"]) Recorded[k] = Real[k];
  window.WebSocket = Recorded;
})();
