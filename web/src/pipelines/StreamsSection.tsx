import { useEffect, useRef, useState, type FormEvent } from 'react';
import { Link } from 'wouter';
import { primaryButton, secondaryButton, textField } from '../ui/styles.js';
import { linkClass } from './PipelineParts.js';
import { usePatchPipeline, useStreamOffers } from './queries.js';
import { decodeKey, editProblem, encodeKey, errorsByStream, initialEdit, isChanged, keyOptions, streamsPatch, withMode, type StreamEdit } from './stream-edit.js';
import { failureOf, type PipelineView, type SelectedStream, type StreamOffer, type SyncMode } from './types.js';
import { isIncremental, streamModeInWords, syncModeLabel } from './words.js';

type Problems = { byStream: Record<string, string[]>; other: string[] };

function TableEditor({ id, table, offer, saving, onSave, onCancel }: { id: string; table: SelectedStream; offer: StreamOffer; saving: boolean; onSave: (edit: StreamEdit) => void; onCancel: () => void }) {
  const [edit, setEdit] = useState<StreamEdit>(() => initialEdit(table, offer));
  const [problem, setProblem] = useState<string | undefined>();
  const modes = offer.sync_modes.some((m) => m.sync_mode === table.sync_mode) ? offer.sync_modes : [{ sync_mode: table.sync_mode, label: syncModeLabel[table.sync_mode], description: 'The mode this table has now; the source no longer offers it.' }, ...offer.sync_modes];
  const mode = modes.find((m) => m.sync_mode === edit.sync_mode);
  const keys = keyOptions(offer, table);
  const submit = (event: FormEvent) => {
    event.preventDefault();
    const why = editProblem(edit);
    setProblem(why);
    if (!why) onSave(edit);
  };
  return (
    <form onSubmit={submit} className="mt-3 grid gap-3 rounded border border-slate-300 bg-slate-50 p-3 sm:grid-cols-2" aria-label={`How “${table.stream}” syncs`} data-testid="table-editor">
      <div>
        <label htmlFor={`${id}-mode`} className="mb-1 block text-sm font-medium text-slate-900">
          How to sync
        </label>
        <select
          id={`${id}-mode`}
          className={textField}
          value={edit.sync_mode}
          aria-describedby={`${id}-mode-help`}
          autoFocus
          onChange={(e) => setEdit((current) => withMode(current, e.target.value as SyncMode, table, offer))}
        >
          {modes.map((m) => (
            <option key={m.sync_mode} value={m.sync_mode}>
              {m.label}
            </option>
          ))}
        </select>
        <p id={`${id}-mode-help`} className="mt-1 text-sm text-slate-800">
          {mode?.description}
        </p>
      </div>
      {isIncremental(edit.sync_mode) && (
        <div>
          <label htmlFor={`${id}-key`} className="mb-1 block text-sm font-medium text-slate-900">
            How to find new and changed rows
          </label>
          {keys.length > 0 ? (
            <select id={`${id}-key`} className={textField} value={encodeKey(edit.key)} onChange={(e) => setEdit((current) => ({ ...current, key: decodeKey(e.target.value) }))} aria-describedby={`${id}-key-help`}>
              {edit.key.kind === 'none' && <option value="none">Choose…</option>}
              {keys.map((k) => (
                <option key={k.value} value={k.value}>
                  {k.label}
                </option>
              ))}
            </select>
          ) : (
            <p className="text-sm text-slate-900">This table has no column holding a time, a date or a growing number, so it can only be read whole.</p>
          )}
          <p id={`${id}-key-help`} className="mt-1 text-sm text-slate-800">
            A column that changes whenever a row changes, such as the time it was last updated.
          </p>
        </div>
      )}
      {problem && (
        <p role="alert" className="text-sm font-medium text-red-800 sm:col-span-2">
          {problem}
        </p>
      )}
      <div className="flex flex-wrap gap-2 sm:col-span-2">
        <button type="submit" className={primaryButton} disabled={saving || !isChanged(table, edit)}>
          {saving ? 'Saving…' : 'Save'}
        </button>
        <button type="button" className={secondaryButton} onClick={onCancel}>
          Cancel
        </button>
      </div>
    </form>
  );
}

function TableRow(props: { index: number; table: SelectedStream; offer: StreamOffer | undefined; offersKnown: boolean; canEdit: boolean; open: boolean; saving: boolean; problems: string[] | undefined; onOpen: () => void; onClose: () => void; onSave: (edit: StreamEdit) => void }) {
  const { index, table, offer } = props;
  const id = `pipeline-table-${index}`;
  const button = useRef<HTMLButtonElement>(null);
  const wasOpen = useRef(props.open);
  // Closing the editor puts focus back on the button that opened it.
  useEffect(() => {
    if (wasOpen.current && !props.open) button.current?.focus();
    wasOpen.current = props.open;
  }, [props.open]);
  const description = offer?.sync_modes.find((m) => m.sync_mode === table.sync_mode)?.description;
  return (
    <li className="rounded border border-slate-300 p-3" data-testid="pipeline-table" data-stream={table.stream} data-sync-mode={table.sync_mode}>
      <div className="flex flex-wrap items-start justify-between gap-2">
        <div className="min-w-0 flex-1">
          <h3 className="break-words font-semibold text-slate-900">{table.stream}</h3>
          <p className="text-slate-900" data-testid="table-mode">
            {streamModeInWords(table)}
          </p>
          {description && <p className="mt-1 text-sm text-slate-800">{description}</p>}
          {props.offersKnown && !offer && <p className="mt-1 text-sm text-amber-950">Sluice did not find this table the last time it looked at the source. If it was renamed or removed there, its syncs will fail until it is back.</p>}
        </div>
        {props.canEdit && offer && !props.open && (
          <button ref={button} type="button" className={secondaryButton} onClick={props.onOpen}>
            Change how it syncs<span className="sr-only">: {table.stream}</span>
          </button>
        )}
      </div>
      {props.problems && props.problems.length > 0 && (
        <div role="alert" className="mt-2 rounded border border-red-700 bg-red-50 p-2 text-sm text-red-900" data-testid="table-problem">
          <p className="font-medium">This table’s change was not saved:</p>
          <ul className="list-disc pl-5">
            {props.problems.map((p) => (
              <li key={p}>{p}</li>
            ))}
          </ul>
        </div>
      )}
      {props.open && offer && (
        <div id={`${id}-editor`}>
          <TableEditor id={id} table={table} offer={offer} saving={props.saving} onSave={props.onSave} onCancel={props.onClose} />
        </div>
      )}
    </li>
  );
}

/** The pipeline's tables, each with how it syncs in words; admins can change a table's mode and its column for new rows. */
export function StreamsSection({ pipeline, canEdit }: { pipeline: PipelineView; canEdit: boolean }) {
  const offers = useStreamOffers(pipeline.source_connector_id);
  const patch = usePatchPipeline(pipeline.id);
  const [editing, setEditing] = useState<string | null>(null);
  const [problems, setProblems] = useState<Problems>({ byStream: {}, other: [] });
  const [said, setSaid] = useState('');
  const byName = new Map((offers.data?.data ?? []).map((o) => [o.stream, o]));
  const notDiscovered = (offers.error as { status?: number } | null)?.status === 404;

  const save = (stream: string, edit: StreamEdit) => {
    const sent = streamsPatch(pipeline.streams, stream, edit);
    setSaid('');
    patch.mutate(
      { streams: sent },
      {
        onSuccess: (saved) => {
          setProblems({ byStream: {}, other: [] });
          setEditing(null);
          const now = saved.streams.find((s) => s.stream === stream);
          setSaid(`Saved. “${stream}”: ${now ? streamModeInWords(now) : 'changed'}. This applies from the next sync.`);
        },
        onError: (error) => {
          const failure = failureOf(error);
          const found = errorsByStream(failure.detail?.fields, sent);
          setProblems(Object.keys(found.byStream).length > 0 || found.other.length > 0 ? found : { byStream: {}, other: [`Nothing was saved: ${failure.message}`] });
        },
      },
    );
  };

  return (
    <section aria-labelledby="tables-title" className="space-y-3">
      <h2 id="tables-title" className="text-xl font-semibold text-slate-900">
        Tables
      </h2>
      {canEdit && notDiscovered && (
        <p className="text-slate-900">
          Sluice has not looked at this source’s tables yet, so the ways to sync them are not known. Test the connection on the{' '}
          <Link href="/" className={linkClass}>
            Connections page
          </Link>
          ; then you can change how each table syncs here.
        </p>
      )}
      {canEdit && offers.isError && !notDiscovered && <p className="text-slate-900">The ways to sync these tables could not be loaded just now ({offers.error.message}). Reload the page to try again.</p>}
      <p role="status" className="text-slate-900" data-testid="tables-saved">
        {said}
      </p>
      {problems.other.length > 0 && (
        <div role="alert" className="rounded border border-red-700 bg-red-50 p-3 text-red-900">
          <p className="font-medium">The change was not saved:</p>
          <ul className="list-disc pl-5">
            {problems.other.map((p) => (
              <li key={p}>{p}</li>
            ))}
          </ul>
        </div>
      )}
      <ul className="space-y-3">
        {pipeline.streams.map((table, index) => (
          <TableRow
            key={table.stream}
            index={index}
            table={table}
            offer={byName.get(table.stream)}
            offersKnown={offers.isSuccess}
            canEdit={canEdit}
            open={editing === table.stream}
            saving={patch.isPending}
            problems={problems.byStream[table.stream]}
            onOpen={() => {
              setSaid('');
              setProblems({ byStream: {}, other: [] });
              setEditing(table.stream);
            }}
            onClose={() => setEditing(null)}
            onSave={(edit) => save(table.stream, edit)}
          />
        ))}
      </ul>
    </section>
  );
}
