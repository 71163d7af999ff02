#!/usr/bin/python3
"""Independent PyTorch reference for the engine's model families (llama, qwen2, qwen3).

Plain torch (no transformers library), written from the Hugging Face modelling conventions:
RMSNorm, RoPE (rotate_half layout; inverse frequencies with linear / llama3 scaling, float32
like transformers), grouped-query attention with a causal mask, SwiGLU MLP, q/k/v(/o) biases,
Qwen3's per-head q/k RMSNorm before RoPE, head_dim apart from hidden_size / heads, tied or
untied LM head. Each sequence runs alone at its true length (no padding, no KV cache).

Usage: torch_families.py IN.safetensors OUT.safetensors
  IN   tensors "<case>/<param name>" (F32) and __metadata__.cases, a JSON list of
       {"name", "config" (the engine's parsed config), "seqs": [{"ids", "start", "adv"}]}
  OUT  per case and dtype D in (f32, f64):
         "<case>/D/logits/<i>"  (T_i, V) logits of sequence i
         "<case>/D/grad/<param>" d loss / d param for the token-level policy-gradient loss
            loss = -(1 / N) sum_i sum_{t >= start_i} adv_i log p(ids_i[t] | ids_i[:t]),
            N = number of scored tokens over all sequences
       and __metadata__.loss = {"<case>/D": loss}
"""
import json
import math
import struct
import sys

import torch


def read_safetensors(path):
    with open(path, "rb") as f:
        data = f.read()
    (n,) = struct.unpack("<Q", data[:8])
    header = json.loads(data[8 : 8 + n])
    meta = header.pop("__metadata__", {})
    base = 8 + n
    out = {}
    for name, info in header.items():
        if info["dtype"] != "F32":
            raise ValueError(f"{name}: dtype {info['dtype']}, expected F32")
        begin, end = info["data_offsets"]
        buf = bytearray(data[base + begin : base + end])
        out[name] = torch.frombuffer(buf, dtype=torch.float32).reshape(info["shape"]).clone()
    return out, meta


def write_safetensors(path, tensors, meta):
    header = {}
    blobs = []
    offset = 0
    for name, t in tensors.items():
        raw = t.detach().to(torch.float32).contiguous().numpy().tobytes()
        header[name] = {"dtype": "F32", "shape": list(t.shape), "data_offsets": [offset, offset + len(raw)]}
        offset += len(raw)
        blobs.append(raw)
    header["__metadata__"] = meta
    head = json.dumps(header).encode("utf-8")
    head += b" " * ((8 - (8 + len(head)) % 8) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(head)))
        f.write(head)
        for raw in blobs:
            f.write(raw)


def inv_freq(cfg, head_dim, dtype):
    """RoPE inverse frequencies as transformers computes them (in `dtype`)."""
    theta = float(cfg["rope_theta"])
    exps = torch.arange(0, head_dim, 2, dtype=torch.int64).to(dtype) / head_dim
    inv = 1.0 / (theta ** exps)
    rs = cfg.get("rope_scaling")
    if rs is None:
        return inv
    kind = rs["rope_type"]
    if kind == "linear":
        return inv / rs["factor"]
    if kind == "llama3":
        factor = rs["factor"]
        lo, hi = rs["low_freq_factor"], rs["high_freq_factor"]
        ctx = rs["original_max_position_embeddings"]
        wavelen = 2 * math.pi / inv
        scaled = torch.where(wavelen > ctx / lo, inv / factor, inv)
        smooth = (ctx / wavelen - lo) / (hi - lo)
        blended = (1 - smooth) * scaled / factor + smooth * scaled
        medium = (wavelen >= ctx / hi) & (wavelen <= ctx / lo)
        return torch.where(medium, blended, scaled)
    raise ValueError(f"rope_type {kind} not in the reference")


def rms_norm(x, w, eps):
    return w * (x * torch.rsqrt(x.pow(2).mean(-1, keepdim=True) + eps))


def rotate_half(x):
    half = x.shape[-1] // 2
    return torch.cat((-x[..., half:], x[..., :half]), dim=-1)


def logits_of(cfg, p, ids, dtype):
    fam = cfg["model_type"]
    d_model = cfg["hidden_size"]
    n_heads = cfg["num_attention_heads"]
    n_kv = cfg["num_key_value_heads"]
    hd = cfg.get("head_dim") or d_model // n_heads
    eps = cfg["rms_norm_eps"]
    qkv_bias = fam == "qwen2" or bool(cfg.get("attention_bias"))
    o_bias = fam != "qwen2" and bool(cfg.get("attention_bias"))
    T = len(ids)

    angles = torch.arange(T, dtype=dtype)[:, None] * inv_freq(cfg, hd, dtype)[None, :]  # (T, hd/2)
    emb = torch.cat((angles, angles), dim=-1)
    cos, sin = emb.cos()[:, None, :], emb.sin()[:, None, :]  # (T, 1, hd)
    causal = torch.full((T, T), float("-inf"), dtype=dtype).triu(1)

    x = p["model.embed_tokens.weight"][torch.tensor(ids, dtype=torch.int64)]  # (T, D)
    for layer in range(cfg["num_hidden_layers"]):
        w = lambda name: p[f"model.layers.{layer}.{name}"]  # noqa: E731
        h = rms_norm(x, w("input_layernorm.weight"), eps)
        q = h @ w("self_attn.q_proj.weight").T
        k = h @ w("self_attn.k_proj.weight").T
        v = h @ w("self_attn.v_proj.weight").T
        if qkv_bias:
            q = q + w("self_attn.q_proj.bias")
            k = k + w("self_attn.k_proj.bias")
            v = v + w("self_attn.v_proj.bias")
        q = q.view(T, n_heads, hd)
        k = k.view(T, n_kv, hd)
        v = v.view(T, n_kv, hd)
        if fam == "qwen3":
            q = rms_norm(q, w("self_attn.q_norm.weight"), eps)
            k = rms_norm(k, w("self_attn.k_norm.weight"), eps)
        q = q * cos + rotate_half(q) * sin
        k = k * cos + rotate_half(k) * sin
        # query head j reads kv head j // (n_heads / n_kv)
        k = k.repeat_interleave(n_heads // n_kv, dim=1)
        v = v.repeat_interleave(n_heads // n_kv, dim=1)
        scores = torch.einsum("thd,shd->hts", q, k) * (hd ** -0.5) + causal
        att = torch.einsum("hts,shd->thd", torch.softmax(scores, dim=-1), v).reshape(T, n_heads * hd)
        o = att @ w("self_attn.o_proj.weight").T
        if o_bias:
            o = o + w("self_attn.o_proj.bias")
        x = x + o
        h2 = rms_norm(x, w("post_attention_layernorm.weight"), eps)
        gate = h2 @ w("mlp.gate_proj.weight").T
        up = h2 @ w("mlp.up_proj.weight").T
        x = x + (torch.nn.functional.silu(gate) * up) @ w("mlp.down_proj.weight").T
    hidden = rms_norm(x, p["model.norm.weight"], eps)
    head = p["model.embed_tokens.weight"] if cfg["tie_word_embeddings"] else p["lm_head.weight"]
    return hidden @ head.T


def run_case(case, tensors, dtype, tag, out, losses):
    name = case["name"]
    cfg = case["config"]
    prefix = f"{name}/"
    params = {k[len(prefix) :]: t.detach().to(dtype).clone().requires_grad_(True) for k, t in tensors.items() if k.startswith(prefix)}
    total = torch.zeros((), dtype=dtype)
    count = 0
    for i, s in enumerate(case["seqs"]):
        ids, start, adv = s["ids"], s["start"], s["adv"]
        logits = logits_of(cfg, params, ids, dtype)
        out[f"{name}/{tag}/logits/{i}"] = logits.detach()
        logp = torch.log_softmax(logits, dim=-1)
        targets = torch.tensor(ids[start:], dtype=torch.int64)
        picked = logp[torch.arange(start - 1, len(ids) - 1), targets]
        total = total + adv * picked.sum()
        count += len(ids) - start
    loss = -total / count
    loss.backward()
    for k, t in params.items():
        out[f"{name}/{tag}/grad/{k}"] = t.grad.detach()
    losses[f"{name}/{tag}"] = loss.item()


def main():
    torch.set_num_threads(1)
    tensors, meta = read_safetensors(sys.argv[1])
    cases = json.loads(meta["cases"])
    out = {}
    losses = {}
    for case in cases:
        for dtype, tag in ((torch.float32, "f32"), (torch.float64, "f64")):
            run_case(case, tensors, dtype, tag, out, losses)
    write_safetensors(sys.argv[2], out, {"loss": json.dumps(losses), "torch": torch.__version__})


if __name__ == "__main__":
    main()
