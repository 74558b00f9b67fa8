/** A hue derived from the name, so each person keeps one colour in every tab. */
function hueOf(name: string): number {
  let hash = 0;
  for (const char of name) hash = (hash * 31 + char.charCodeAt(0)) % 360;
  return hash;
}

/** A round badge with the first letter of a name. */
export function Avatar({ name, size = "normal" }: { name: string; size?: "small" | "normal" }) {
  return (
    <span
      className={`avatar avatar-${size}`}
      style={{ backgroundColor: `hsl(${hueOf(name)} 55% 45%)` }}
      aria-hidden="true"
    >
      {name.slice(0, 1).toUpperCase()}
    </span>
  );
}
