// Converse ToolUseBlock.type (API reference, ToolUseBlock / ToolUseBlockStart): "server_tool_use"
// marks a system tool the provider ran itself (Nova's nova_code_interpreter), whose toolResult
// follows in the same message. Like Anthropic's server_tool_use, it is not a call for the client.
export function isServerToolUse(type: string | undefined): boolean {
  return type === 'server_tool_use';
}
