/** Small wording helpers shared by the field model and the validation messages: the server's own (meltano/config-validation), so labels read alike. */
export { humanise, listOf } from '../../../meltano/config-validation.js';
