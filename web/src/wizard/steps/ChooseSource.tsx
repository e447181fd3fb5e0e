import { CatalogPicker } from '../../pages/CatalogPage.js';
import { resetDraft, updateDraft, useDraft } from '../draft.js';

export function ChooseSource({ onNext }: { onNext: () => void }) {
  const draft = useDraft();
  return (
    <CatalogPicker
      onPick={(plugin) => {
        if (draft.plugin !== plugin.name) resetDraft();
        updateDraft({ plugin: plugin.name, name: draft.plugin === plugin.name ? draft.name : '' });
        onNext();
      }}
    />
  );
}
