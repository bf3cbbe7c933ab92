// ID-photo framing: preview the chosen file and let the user drag a frame of the printed
// shape (358:441) over it. The frame is sent as crop_* fields in the image's own pixels;
// the server checks and applies it (and centres a frame itself when there is none).
(() => {
  const form = document.getElementById("photo-form");
  if (!form) return;
  const input = form.querySelector('input[type="file"]');
  const box = document.getElementById("crop-preview");
  // The preview image is made here and shown once a chosen file has loaded (the page's HTML
  // cannot hold an <img> without src).
  const stage = document.getElementById("crop-stage");
  const img = document.createElement("img");
  img.id = "crop-image";
  img.alt = stage.dataset.alt;
  const frame = document.getElementById("crop-frame");
  const zoom = document.getElementById("crop-zoom");
  const field = (name) => form.querySelector(`input[name="${name}"]`);
  const RATIO = 358 / 441;
  let state = null; // frame in displayed pixels: {x, y, w, h}

  function clamp() {
    const W = img.clientWidth, H = img.clientHeight;
    state.x = Math.min(Math.max(0, state.x), W - state.w);
    state.y = Math.min(Math.max(0, state.y), H - state.h);
  }
  function draw() {
    clamp();
    Object.assign(frame.style, { left: `${state.x}px`, top: `${state.y}px`, width: `${state.w}px`, height: `${state.h}px` });
    const scale = img.naturalWidth / img.clientWidth;
    field("crop_x").value = Math.round(state.x * scale);
    field("crop_y").value = Math.round(state.y * scale);
    field("crop_width").value = Math.round(state.w * scale);
    field("crop_height").value = Math.round(state.h * scale);
  }
  function resize() {
    const W = img.clientWidth, H = img.clientHeight;
    const maxW = Math.min(W, H * RATIO);
    const w = maxW * (Number(zoom.value) / 100);
    const cx = state ? state.x + state.w / 2 : W / 2, cy = state ? state.y + state.h / 2 : H / 2;
    state = { w, h: w / RATIO, x: cx - w / 2, y: cy - w / RATIO / 2 };
    draw();
  }
  function clear() {
    ["crop_x", "crop_y", "crop_width", "crop_height"].forEach((n) => { field(n).value = ""; });
    box.classList.add("d-none");
    state = null;
  }
  input.addEventListener("change", () => {
    clear();
    const file = input.files && input.files[0];
    if (!file || !/^image\/(jpeg|png)$/.test(file.type)) return;
    img.onload = () => {
      if (!img.isConnected) stage.prepend(img);
      box.classList.remove("d-none"); zoom.value = 100; resize();
    };
    img.onerror = clear;
    img.src = URL.createObjectURL(file);
  });
  zoom.addEventListener("input", () => state && resize());
  let drag = null;
  frame.addEventListener("pointerdown", (e) => {
    drag = { x: e.clientX - state.x, y: e.clientY - state.y };
    frame.setPointerCapture(e.pointerId);
  });
  frame.addEventListener("pointermove", (e) => {
    if (!drag) return;
    state.x = e.clientX - drag.x; state.y = e.clientY - drag.y;
    draw();
  });
  frame.addEventListener("pointerup", () => { drag = null; });
})();
