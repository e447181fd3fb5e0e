import { describe, expect, it } from 'vitest';
import { switchProblem, workspaceOption } from './switch-words.js';

describe('the workspace switcher in words', () => {
  it('names each workspace with the role the person has there', () => {
    expect(workspaceOption({ name: 'Acme shop', role: 'viewer' })).toBe('Acme shop (Viewer)');
    expect(workspaceOption({ name: 'Books', role: 'owner' })).toBe('Books (Owner)');
  });

  it('says what went wrong and what to do, in plain words', () => {
    expect(switchProblem(new TypeError('Failed to fetch'), 'Books')).toMatch(/could not be reached, so you are still in this workspace/);
    expect(switchProblem(Object.assign(new Error('Sign in first'), { status: 401 }), 'Books')).toBe('Your session has ended. Sign in again to open a workspace.');
    expect(switchProblem(Object.assign(new Error('You are not a member of "books".'), { status: 404 }), 'Books')).toBe('You are no longer a member of Books. Reload the page to see the workspaces you belong to.');
    expect(switchProblem(Object.assign(new Error('This request is missing its CSRF token. Reload the page and try again.'), { status: 403 }), 'Books')).toBe(
      'Could not switch to Books: This request is missing its CSRF token. Reload the page and try again.',
    );
    expect(switchProblem(Object.assign(new Error(''), { status: 500 }), 'Books')).toBe('Could not switch to Books. Try again.');
  });
});
