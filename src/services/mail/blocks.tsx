import type { Child } from 'hono/jsx'

// Each mail's words are written once, as blocks, and rendered twice: the text part and the HTML part
// (RFC 2046 multipart/alternative: the same message in two forms). User data only ever enters the
// HTML as JSX children or attributes, so it is escaped there.
export type MailContent = { subject: string; text: string; html: string }

/** Words in a line: plain, bold, code, or a link (the text part writes its address out). */
export type Inline =
  | string
  | { strong: string }
  | { code: string }
  // `shown: 'url'`: the text part shows the address alone, not « label : address ».
  | { link: string; href: string; shown?: 'url' }

export type Item = { name?: string; line: Inline[] }

export type Block =
  // One <p>; each line its own line in the text part, the lines joined by a space in HTML.
  | { paragraph: Inline[][] }
  // One <p><strong>; its lines stay lines in HTML too (<br>).
  | { emphasis: Inline[][] }
  // « - line » in the text part (a named item on two lines, spaced items apart); <ul> in HTML.
  | { list: Item[]; spaced?: boolean }

/** A mail's body: sections, separated by a blank line in the text part. */
export type Section = Block[]

export const paragraph = (...lines: Inline[][]): Block => ({ paragraph: lines })
export const line = (...words: Inline[]): Inline[] => words

const inlineText = (inline: Inline) => {
  if (typeof inline === 'string') return inline
  if ('strong' in inline) return inline.strong
  if ('code' in inline) return inline.code
  return inline.shown === 'url' ? inline.href : `${inline.link} : ${inline.href}`
}

const lineText = (words: Inline[]) => words.map(inlineText).join('')

function blockText(block: Block): string {
  if ('paragraph' in block) return block.paragraph.map(lineText).join('\n')
  if ('emphasis' in block) return block.emphasis.map(lineText).join('\n')
  const items = block.list.map((item) =>
    item.name === undefined ? `- ${lineText(item.line)}` : `${item.name}\n- ${lineText(item.line)}`,
  )
  return items.join(block.spaced ? '\n\n' : '\n')
}

function InlineHtml({ inline }: { inline: Inline }) {
  if (typeof inline === 'string') return <>{inline}</>
  if ('strong' in inline) return <strong>{inline.strong}</strong>
  if ('code' in inline) return <code>{inline.code}</code>
  return <a href={inline.href}>{inline.link}</a>
}

const lineHtml = (words: Inline[]) => words.map((inline) => <InlineHtml inline={inline} />)

const joined = (lines: Inline[][], separator: () => Child) =>
  lines.flatMap((words, index) =>
    index === 0 ? lineHtml(words) : [separator(), ...lineHtml(words)],
  )

function BlockHtml({ block }: { block: Block }) {
  if ('paragraph' in block) return <p>{joined(block.paragraph, () => ' ')}</p>
  if ('emphasis' in block) {
    return (
      <p>
        <strong>
          {joined(block.emphasis, () => (
            <br />
          ))}
        </strong>
      </p>
    )
  }
  return (
    <ul>
      {block.list.map((item) => (
        <li>
          {item.name !== undefined && (
            <>
              <strong>{item.name}</strong> :{' '}
            </>
          )}
          {lineHtml(item.line)}
        </li>
      ))}
    </ul>
  )
}

async function htmlDocument(subject: string, body: Child): Promise<string> {
  const element = (
    <html lang="fr">
      <head>
        <meta charset="utf-8" />
        <title>{subject}</title>
      </head>
      <body style="font-family: Arial, sans-serif; line-height: 1.5; color: #1b1b1b;">{body}</body>
    </html>
  )
  return `<!DOCTYPE html>${await element.toString()}`
}

/** The mail's two parts from its one list of sections. */
export async function composeMail(subject: string, sections: Section[]): Promise<MailContent> {
  const text = sections.map((section) => section.map(blockText).join('\n')).join('\n\n')
  const blocks = sections.flat().map((block) => <BlockHtml block={block} />)
  return { subject, text, html: await htmlDocument(subject, <>{blocks}</>) }
}
