"""Reading digits: decode a picture, find its ink, cut it into digits and read them with the
model (ONNX Runtime)."""
